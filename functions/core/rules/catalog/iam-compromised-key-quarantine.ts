import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

const QUARANTINE = /AWSCompromisedKeyQuarantine/;

/**
 * AWS attached (or someone put) one of the AWSCompromisedKeyQuarantine policies: AWS found an access
 * key of this user exposed in public (a code repository, a paste site) and blocked some risky actions.
 * The key still works for everything else until it is deactivated.
 */
export default defineRule({
  id: "iam.compromised-key-quarantine",
  title: "AWS quarantined a leaked access key",
  severity: "high",
  description:
    "An AWSCompromisedKeyQuarantine policy was applied to a user: AWS detected that one of its access keys was published. The quarantine only denies some actions. Deactivate and rotate the key now, then review everything it did since it leaked.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy", "PutUserPolicy"],
  match: (r) => QUARANTINE.test(r.eventName === "PutUserPolicy" ? paramString(r, "policyName") ?? "" : paramString(r, "policyArn") ?? ""),
  summary: (r, { principal }) =>
    `${actor(principal)} applied ${paramString(r, "policyArn") ?? paramString(r, "policyName")} to ${paramString(r, "userName") ? `user ${paramString(r, "userName")}` : paramString(r, "roleName") ? `role ${paramString(r, "roleName")}` : `group ${paramString(r, "groupName")}`} in account ${accountOfRecord(r)}: AWS found a leaked access key`,
  context: (r) => ({
    targetUser: paramString(r, "userName"),
    policy: paramString(r, "policyArn") ?? paramString(r, "policyName"),
  }),
  status: "stable",
  falsePositives: [
    "None: AWS applies the quarantine only when it finds the key published.",
  ],
  runbook: {
    triage: [
      "Which key leaked, where (AWS's notification e-mail and the Support case name the place) and since when?",
      "What did the key do since it was published (search CloudTrail by access key id)?",
    ],
    contain: [
      "Deactivate and delete the key now, rotate any secret reachable with it, and remove the quarantine policy only after the cleanup.",
    ],
  },
  references: {
    mitre: ["T1552", "T1078.004"],
    panther: ["AWS.CloudTrail.IAMCompromisedKeyQuarantine", "AWS.IAM.AccessKeyCompromised"],
    urls: ["https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCompromisedKeyQuarantineV3.html"],
  },
});
