import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { isAwsServicePrincipal } from "../../record/principal";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, paramString, patternListSchema } from "../helpers";

const settingsSchema = z.strictObject({
  /**
   * Case-insensitive regular expressions on the name of the role or IAM user that runs your
   * infrastructure as code outside CloudFormation (Terraform in CI, Pulumi, ...). Empty: only calls
   * made through an AWS service count as infrastructure as code.
   */
  automationPrincipalPatterns: patternListSchema(0),
});
type Settings = z.infer<typeof settingsSchema>;

const KIND: Record<string, { kind: string; param: string }> = {
  CreateRole: { kind: "role", param: "roleName" },
  CreateGroup: { kind: "group", param: "groupName" },
  CreatePolicy: { kind: "managed policy", param: "policyName" },
  CreateInstanceProfile: { kind: "instance profile", param: "instanceProfileName" },
};

/** True when an AWS service made the call for someone (CloudFormation, Identity Center, Service Catalog, ...). */
function viaAwsService(r: CloudTrailRecord): boolean {
  return /\.amazonaws\.com$/.test(r.userIdentity?.invokedBy ?? "");
}

/**
 * IAM roles, groups, managed policies and instance profiles created by hand: not through
 * CloudFormation or another AWS service, and not by a principal named in
 * `automationPrincipalPatterns`. In an estate managed as code these are the exceptions, and the
 * roles an attacker adds to come back. Info and experimental: in estates where people create IAM
 * entities in the console it is an audit trail, not an alarm. Users are left to iam.user-created,
 * which reports every one.
 */
export default defineRule<Settings>({
  id: "iam.entity-created-outside-iac",
  title: "IAM role, group or policy created outside infrastructure as code",
  severity: "info",
  description:
    "An IAM role, group, managed policy or instance profile was created neither through CloudFormation (or another AWS service) nor by a configured automation principal. Entities made by hand escape code review and drift detection, and a role created by hand is a common backdoor.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: Object.keys(KIND),
  match: (r, { principal, settings }) =>
    !viaAwsService(r) && !isAwsServicePrincipal(principal) && firstMatchingPattern(settings.automationPrincipalPatterns, principal.name) === undefined,
  summary: (r, { principal }) =>
    `${actor(principal)} created IAM ${KIND[r.eventName]!.kind} ${paramString(r, KIND[r.eventName]!.param) ?? "(unnamed)"} outside infrastructure as code in account ${accountOfRecord(r)}`,
  context: (r) => ({
    kind: KIND[r.eventName]!.kind,
    name: paramString(r, KIND[r.eventName]!.param),
    path: paramString(r, "path"),
    userAgent: r.userAgent,
  }),
  dedupKey: (r) => `${accountOfRecord(r)}|${r.eventName}|${paramString(r, KIND[r.eventName]!.param) ?? r.eventID ?? ""}|${r.eventTime.slice(0, 10)}`,
  status: "experimental",
  falsePositives: [
    "Estates where people manage IAM in the console.",
    "Terraform, Pulumi or scripts run by principals not listed in automationPrincipalPatterns.",
  ],
  runbook: {
    triage: [
      "Check the creator: a person's session (console user agent) or an unlisted automation principal?",
      "For a role: read its trust policy and attached policies (GetRole, ListAttachedRolePolicies) — who can assume it, with what rights?",
      "Look for a change request or pull request that explains it.",
    ],
    contain: [
      "Delete the entity if nobody owns it (detach its policies first); if it is legitimate, bring it under infrastructure as code.",
      "Add the principal that runs your infrastructure as code to automationPrincipalPatterns if it caused this.",
    ],
  },
  references: {
    mitre: ["T1098", "T1136.003"],
    panther: ["AWS.CloudTrail.IAMEntityCreatedWithoutCloudFormation", "AWS.IAM.CreateRole"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html"],
  },
  settings: { schema: settingsSchema, defaults: { automationPrincipalPatterns: [] } },
});
