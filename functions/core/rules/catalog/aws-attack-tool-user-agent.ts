import * as z from "../../zod";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, patternListSchema } from "../helpers";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions on the user agent of clients that have no business touching IAM or validating keys. */
  userAgentPatterns: patternListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

/** Calls that read who a key is, or create users, keys, passwords and user policies: what a key thief does first. */
const IAM_WRITES = ["CreateUser", "CreateAccessKey", "CreateLoginProfile", "UpdateLoginProfile", "PutUserPolicy", "AttachUserPolicy"];
const LOOKUPS = ["GetCallerIdentity", "GetLoginProfile"];

/**
 * A key checked or used by a client that legitimate work does not use: secret scanners validating a
 * found key (TruffleHog calls sts:GetCallerIdentity for every AWS key it finds), S3 Browser creating
 * IAM users, keys and policies (seen in intrusions: attackers use it as a GUI for stolen keys),
 * offensive toolkits and penetration-testing distributions (their names end up in the user agent).
 * The user agent is chosen by the client, so this catches the careless, never the careful: an
 * absence of this alert proves nothing.
 */
export default defineRule<Settings, { pattern: string }>({
  id: "aws.attack-tool-user-agent",
  title: "Key checked or used by an attack or secret-scanning tool",
  severity: "medium",
  description:
    "A key was validated (sts:GetCallerIdentity) or used for IAM user, key, password or policy changes by a client naming a secret scanner (TruffleHog), S3 Browser, an offensive toolkit (Pacu) or a pentest distribution (Kali, Parrot). A scanner validating your key means it leaked.",
  eventSources: ["sts.amazonaws.com", "iam.amazonaws.com"],
  eventNames: [...LOOKUPS, ...IAM_WRITES],
  match: (r, { settings }) => {
    const hit = firstMatchingPattern(settings.userAgentPatterns, r.userAgent ?? "");
    return hit === undefined ? false : { pattern: hit };
  },
  severityFor: (r) => (IAM_WRITES.includes(r.eventName) ? "high" : "medium"),
  summary: (r, { principal }) =>
    `${actor(principal)} called ${r.eventSource.replace(".amazonaws.com", "")}:${r.eventName} with ${r.userAgent ?? "an unknown client"} in account ${accountOfRecord(r)}${r.sourceIPAddress ? ` from ${r.sourceIPAddress}` : ""}`,
  context: (r, _ctx, m) => ({
    userAgent: r.userAgent,
    matchedPattern: m.pattern,
    call: `${r.eventSource}:${r.eventName}`,
    accessKeyId: r.userIdentity?.accessKeyId,
    requestParameters: r.requestParameters,
  }),
  status: "experimental",
  falsePositives: [
    "Your own secret-scanning pipeline running TruffleHog with verification on your repositories.",
    "An authorised penetration test.",
  ],
  runbook: {
    triage: [
      "Identify the key (context.accessKeyId) and its owner; for TruffleHog, search where the key could have leaked (public repositories, pastes, container images).",
      "Check whether your own scanning or a penetration test ran at that time and from that address.",
      "List everything the key did since it was first seen from this address (CloudTrail lookup by access key id).",
    ],
    contain: [
      "Deactivate the key, then delete it once the owner has a replacement; revoke the role sessions it may have opened.",
      "Delete users, keys, login profiles and policies it created.",
    ],
  },
  references: {
    mitre: ["T1078.004", "T1087.004", "T1098.001"],
    panther: ["AWS.STS.GetCallerIdentity.TruffleHog"],
    sigma: [
      "PUA - AWS TruffleHog Execution",
      "AWS STS GetCallerIdentity Enumeration Via TruffleHog",
      "AWS IAM S3Browser LoginProfile Creation",
      "AWS IAM S3Browser Templated S3 Bucket Policy Creation",
      "AWS IAM S3Browser User or AccessKey Creation",
    ],
    urls: ["https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html"],
  },
  settings: {
    schema: settingsSchema,
    defaults: {
      userAgentPatterns: ["trufflehog", "s3 browser", "(^|[^a-z])pacu([^a-z]|$)", "(^|[^a-z])kali([^a-z]|$)", "parrot ?os|(^|[^a-z])parrot[0-9]", "pentoo"],
    },
  },
});
