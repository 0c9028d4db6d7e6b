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
    "An IAM user's key minted temporary credentials (a federation token, or a session token without MFA); they keep working after the key is deactivated.",
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
    "Old brokers handing out federation tokens; scripts calling GetSessionToken without MFA (low).",
  ],
  runbook: {
    triage: [
      "Does this user normally mint credentials (earlier calls, user agent)?",
      "What did the issued key (context.issuedKeyId) do afterwards?",
    ],
    contain: [
      "Attach a deny-all inline policy to the user (it binds issued credentials too), then rotate its keys.",
    ],
  },
  references: {
    mitre: ["T1550.001", "T1078.004"],
    stratus: ["aws.persistence.sts-federation-token"],
    panther: ["AWS.STS.GetSessionToken.Misuse"],
    sigma: ["AWS STS GetSessionToken Misuse"],
    urls: ["https://docs.aws.amazon.com/STS/latest/APIReference/API_GetFederationToken.html"],
  },
});
