import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, responseString } from "../helpers";

interface Issue {
  severity: Severity;
  what: string;
}

function issue(r: CloudTrailRecord): Issue | undefined {
  if (r.eventName === "GetFederationToken") {
    return { severity: "medium", what: `got federation token credentials named ${paramString(r, "name") ?? "(unknown)"}` };
  }
  // GetSessionToken with an MFA code is the normal way to use MFA on the command line.
  if (r.userIdentity?.type !== "IAMUser" || paramString(r, "serialNumber") || paramString(r, "tokenCode")) return undefined;
  return { severity: "low", what: "got session token credentials without MFA" };
}

/**
 * Temporary credentials minted from an IAM user's long-term key. GetFederationToken (medium, Stratus
 * "sts-federation-token") gives credentials that outlive the key that made them and can open a console
 * session; GetSessionToken without MFA (low) gives credentials that survive the key's deactivation for
 * up to 36 hours. GetSessionToken with an MFA code is routine and not reported.
 */
export default defineRule<undefined, Issue>({
  id: "sts.temporary-credentials-from-user-key",
  title: "Temporary credentials minted from an IAM user key",
  severity: "medium",
  status: "experimental",
  description:
    "An IAM user's access key was used to mint temporary credentials: a federation token, or a session token without MFA. Such credentials keep working after the key is deactivated, so attackers make them first to keep access.",
  eventSources: ["sts.amazonaws.com"],
  eventNames: ["GetFederationToken", "GetSessionToken"],
  match: (r) => issue(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} ${m.what} in account ${accountOfRecord(r)}${typeof r.requestParameters?.durationSeconds === "number" ? ` valid for ${r.requestParameters.durationSeconds} seconds` : ""}`,
  context: (r) => ({
    call: r.eventName,
    accessKeyId: r.userIdentity?.accessKeyId,
    issuedKeyId: responseString(r, "credentials", "accessKeyId"),
    federatedUser: responseString(r, "federatedUser", "arn"),
    durationSeconds: r.requestParameters?.durationSeconds,
    hasSessionPolicy: r.requestParameters?.policy !== undefined || r.requestParameters?.policyArns !== undefined,
  }),
  falsePositives: [
    "Old tools or brokers that hand out federation tokens to users.",
    "Scripts that call GetSessionToken without MFA to get short-lived credentials (low).",
  ],
  runbook: {
    triage: [
      "Does this IAM user normally mint credentials? Check its earlier GetFederationToken/GetSessionToken calls and the user agent.",
      "Where did the call come from (source IP, region), and what did the issued key (context.issuedKeyId) do afterwards?",
    ],
    contain: [
      "Deactivating the user's key does not end the issued credentials: attach a deny-all inline policy to the user (it applies to federation and session credentials), or use the IAM console's revoke of active sessions where applicable.",
      "Then rotate the user's keys and investigate how the key was obtained.",
    ],
  },
  references: {
    mitre: ["T1550.001", "T1078.004"],
    stratus: ["aws.persistence.sts-federation-token"],
    panther: ["AWS.STS.GetSessionToken.Misuse"],
    sigma: ["AWS STS GetSessionToken Misuse"],
  },
});
