import { defineRule } from "../rule";
import { accountOfRecord, actor, callerUserName, paramString } from "../helpers";

/**
 * DeactivateMFADevice: the second factor of a user (or of root, when no userName is given and root
 * calls) is removed, so a password alone signs in again. The later DeleteVirtualMFADevice is cleanup
 * and is not reported separately.
 */
export default defineRule({
  id: "iam.mfa-device-deactivated",
  title: "MFA device deactivated",
  severity: "medium",
  description:
    "An MFA device was deactivated for a user. Until a new one is enrolled the user signs in with a password alone; deactivating someone else's MFA is a way to take over their account.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["DeactivateMFADevice"],
  match: () => true,
  severityFor: (r, { principal }) => {
    const target = paramString(r, "userName");
    if (!target && principal.type === "Root") return "high";
    return target && target !== callerUserName(r) ? "high" : "medium";
  },
  summary: (r, { principal }) => {
    const target = paramString(r, "userName");
    const whose = !target ? (principal.type === "Root" ? "the root user" : "their own user") : target === callerUserName(r) ? "their own user" : `user ${target}`;
    return `${actor(principal)} deactivated MFA device ${paramString(r, "serialNumber") ?? ""} of ${whose} in account ${accountOfRecord(r)}`.replace("  ", " ");
  },
  context: (r) => ({ targetUser: paramString(r, "userName") ?? callerUserName(r) ?? "root", serialNumber: paramString(r, "serialNumber") }),
  status: "stable",
  falsePositives: [
    "A user replacing a lost or new phone (deactivate, then enable a new device shortly after).",
  ],
  runbook: {
    triage: [
      "Whose device, by whom? Was a new device enabled soon after, and did the user sign in without MFA meanwhile?",
    ],
    contain: [
      "If unexpected: disable the user's console access until they enroll a new MFA device, and review its recent sign-ins.",
    ],
  },
  references: { mitre: ["T1556.006"], urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_disable.html"] },
});
