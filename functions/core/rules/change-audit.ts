import * as z from "../zod";
import { isAwsServicePrincipal, type Principal } from "../record/principal";
import type { CloudTrailRecord } from "../record/schema";
import { actsByHand } from "./caller";
import { accountOfRecord, firstMatchingPattern, hourOf, patternListSchema } from "./helpers";

/**
 * Change-audit rules (`iam.configuration-changed`, `ec2.firewall-rules-changed`, ...) record who
 * changed security-relevant configuration, at severity info: not an attack by itself, but the trail an
 * investigation reads next to the real alerts. They share three choices, made here once:
 *
 * - AWS maintaining what it manages (`AWSService` identities, service-linked roles) is not recorded;
 *   a deployment CloudFormation carries out with a deployer's credentials is (it is the deployer's change).
 * - One alert per caller, account, region and hour (`occurrences` counts the calls), where a pipeline's
 *   caller is its role (its sessions are named per run) and a person's is their session, so a deploy of
 *   forty IAM changes is one line and two administrators sharing a permission set stay apart.
 * - `ignorePrincipals` (regular expressions on the caller: the role ARN for role sessions) silences
 *   callers whose changes are reviewed elsewhere, e.g. the infrastructure-as-code runner.
 */

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions on the caller (the role ARN for role sessions) whose changes are not recorded. */
  ignorePrincipals: patternListSchema(0),
});

/** Settings of a change-audit rule. */
export type ChangeAuditSettings = z.infer<typeof settingsSchema>;

/** The settings every change-audit rule takes (nobody ignored by default). */
export const changeAuditSettings: { schema: z.core.$ZodType<ChangeAuditSettings>; defaults: ChangeAuditSettings } = {
  schema: settingsSchema,
  defaults: { ignorePrincipals: [] },
};

/** True when a change-audit rule records this caller's change (AWS's own upkeep and ignored callers are not). */
export function auditsCaller(principal: Principal, settings: ChangeAuditSettings): boolean {
  return !isAwsServicePrincipal(principal) && !firstMatchingPattern(settings.ignorePrincipals, principal.id);
}

/** Dedup key of a change-audit alert: caller (the session too when a person acts), account, region, `scope`, hour. */
export function changeAuditKey(r: CloudTrailRecord, principal: Principal, ...scope: string[]): string {
  const caller = actsByHand(r) && principal.session ? `${principal.id}|${principal.session}` : principal.id;
  return [caller, accountOfRecord(r), r.awsRegion ?? "", ...scope, hourOf(r)].join("|");
}

/** " through cloudformation.amazonaws.com" when an AWS service made the call for the caller, for summaries. */
export function via(r: CloudTrailRecord): string {
  return r.userIdentity?.invokedBy ? ` through ${r.userIdentity.invokedBy}` : "";
}

/**
 * The first runbook steps of every change-audit alert, the ones alerts carry (one copy in each Lambda
 * bundle); each rule's runbook goes on with the checks particular to what it records.
 */
export const CHANGE_AUDIT_STEPS = {
  who: "Read the caller's calls of that hour in CloudTrail (occurrences counts them): what changed, and was there a deployment or ticket behind it?",
  related: "Did a rule of higher severity fire for the same caller or resource (the description names the rules that judge these changes)?",
  revert: "Revert a change nobody planned, from infrastructure code or AWS Config history, and revoke the caller's sessions if it was not theirs to make.",
} as const;
