import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, hourOf, paramString, signinFailed } from "../helpers";

/** Steps inside one console sign-in; the ConsoleLogin itself is reported, these would only repeat it. */
const SIGNIN_STEPS = new Set(["CheckMfa", "CredentialChallenge", "CredentialVerification", "UserAuthentication", "GetSigninToken"]);

/**
 * True when AWS, not the person holding root's credentials, made the call: service events, calls a
 * service made on root's behalf (`invokedBy`), and service-linked roles created as a side effect.
 * `invokedBy: signin.amazonaws.com` is the console acting for the signed-in root user and is kept.
 */
function madeByAws(r: CloudTrailRecord): boolean {
  if (r.eventType === "AwsServiceEvent") return true;
  const by = r.userIdentity?.invokedBy;
  if (by && by !== "signin.amazonaws.com") return true;
  return r.eventName === "CreateServiceLinkedRole";
}

function isReadOnly(r: CloudTrailRecord): boolean {
  return r.readOnly === true || r.readOnly === "true" || /^(Get|List|Describe|Head)[A-Z]/.test(r.eventName);
}

/**
 * Any successful call or console sign-in by the account's root user. CIS and AWS advise never using
 * root for daily work, so every use is worth a look; read-only calls are reported at a lower severity
 * rather than dropped (Panther skips them), because reconnaissance with root credentials is itself
 * the warning. Events AWS generates on root's behalf are excluded.
 */
export default defineRule({
  id: "iam.root-activity",
  title: "Root user activity",
  severity: "high",
  description:
    "The root user of an account signed in or made an API call. IAM policies do not limit root, and day-to-day work should never use it: confirm who holds the root credentials and why they were used. A root sign-in without MFA or a root access key being created is critical.",
  eventSources: ["*"],
  eventNames: "*",
  identityTypes: ["Root"],
  match: (r) => {
    if (madeByAws(r)) return false;
    if (r.eventSource === "signin.amazonaws.com") return !SIGNIN_STEPS.has(r.eventName) && !signinFailed(r);
    return true;
  },
  severityFor: (r) => {
    if (r.eventName === "ConsoleLogin") return String(r.additionalEventData?.["MFAUsed"] ?? "").toLowerCase() === "no" ? "critical" : "high";
    if (r.eventName === "CreateAccessKey" && !paramString(r, "userName")) return "critical";
    return isReadOnly(r) ? "medium" : "high";
  },
  summary: (r) => {
    const acct = accountOfRecord(r);
    const from = r.sourceIPAddress ? ` from ${r.sourceIPAddress}` : "";
    if (r.eventName === "ConsoleLogin") {
      const mfa = String(r.additionalEventData?.["MFAUsed"] ?? "").toLowerCase() === "no" ? " without MFA" : "";
      return `the root user of account ${acct} signed in to the console${mfa}${from}`;
    }
    if (r.eventName === "CreateAccessKey" && !paramString(r, "userName")) return `the root user of account ${acct} created an access key for root${from}`;
    return `the root user of account ${acct} called ${r.eventSource.replace(".amazonaws.com", "")}:${r.eventName}${from}`;
  },
  context: (r) => ({
    call: `${r.eventSource}:${r.eventName}`,
    readOnly: isReadOnly(r),
    mfaUsed: r.additionalEventData?.["MFAUsed"],
    userAgent: r.userAgent,
  }),
  // One alert per account, call, source address and hour: a root session that repeats a call shows as
  // occurrences, while the same call from another address (someone else with the password) is new.
  dedupKey: (r) => `${accountOfRecord(r)}|${r.eventSource}|${r.eventName}|${r.sourceIPAddress ?? ""}|${hourOf(r)}`,
  status: "stable",
  falsePositives: [
    "Tasks only root can do (closing the account, changing the support plan, some billing settings), done by the account owner with MFA.",
  ],
  runbook: {
    triage: [
      "Who holds the root credentials, and were they expecting to use them? Check MFA (`additionalEventData.MFAUsed`) and the source address.",
      "What did root do in that session (every event with `userIdentity.type` Root)?",
    ],
    contain: [
      "If unexpected: change the root password, replace the MFA device, delete any root access key, and review changes made by root.",
    ],
  },
  references: {
    mitre: ["T1078.004"],
    panther: ["AWS.Root.Activity", "AWS.Console.RootLogin", "AWS.CloudTrail.RootAccessKeyCreated", "AWS.CloudTrail.RootPasswordChanged"],
    sigma: ["AWS Root Credentials"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/root-user-tasks.html"],
  },
});
