import { EXTERNAL_ID, ROLE_ARN, ROLE_NAME } from "../../core/aws/identifiers";
import * as z from "../../core/zod";
import type { CatalogRule } from "../../core/rules/threshold-rule";
import { REMEDIATION_MODES, type RemediationMode } from "../../core/remediation/permissions";
import { arnVar, jsonVar, parseEnv, textVar } from "../shared/env";
import { ledgerProblem, remediationSafetyEnv } from "../shared/remediation-env";
import { checkRuleEnvironment, settingsOf } from "../shared/rule-env";


const envSchema = z.object({
  AWS_REGION: z.string().check(z.trim(), z.minLength(1)),
  RULE_SETTINGS: jsonVar(z._default(z.record(z.string(), z.unknown()), {}), 'a JSON object keyed by rule id, e.g. {"ec2.security-group-open-to-world": {"allowedPorts": [443]}}'),
  REMEDIATION: jsonVar(
    z._default(z.record(z.string(), z.enum(REMEDIATION_MODES)), {}),
    'a JSON object of rule id to "off", "dry-run" or "apply", e.g. {"iam.admin-policy-attached": "dry-run"}',
  ),
  /** The function's own role: its own calls are never remediated (set by modules/log-analyzer). */
  FUNCTION_ROLE_ARN: arnVar("iam", "arn:aws:iam::111122223333:role/trailwatch-remediator"),
  /** Comma-separated role ARNs of the trailwatch functions that invoke this one; their events are never remediated. */
  TRIGGER_ROLE_ARNS: z.pipe(
    z.pipe(
      z._default(z.string(), ""),
      z.transform((v: string) => v.split(",").map((s) => s.trim()).filter(Boolean)),
    ),
    z.array(z.string().check(z.regex(ROLE_ARN, "must be IAM role ARNs separated by commas, e.g. arn:aws:iam::111122223333:role/trailwatch-log-analyzer"))),
  ),
  /** The role assumed in member accounts to remediate their events (logAnalyzer.remediationMemberRole.name); unset: own account only. */
  MEMBER_ROLE_NAME: z.pipe(
    textVar(),
    z.optional(z.string().check(z.regex(ROLE_NAME, "must be an IAM role name without a path (1-64 letters, digits or +=,.@_-), e.g. trailwatch-remediation"))),
  ),
  /** The external id the member role's trust policy requires, if any. */
  MEMBER_ROLE_EXTERNAL_ID: z.pipe(textVar(), z.optional(z.string().check(z.regex(EXTERNAL_ID, "must be 2-1224 letters, digits or +=,.@:/_-, as STS accepts")))),
  ...remediationSafetyEnv,
}).check(
  z.superRefine((e, ctx) => {
    if (e.MEMBER_ROLE_EXTERNAL_ID && !e.MEMBER_ROLE_NAME) {
      ctx.addIssue({ code: "custom", path: ["MEMBER_ROLE_EXTERNAL_ID"], message: "is set but MEMBER_ROLE_NAME is not; set the member role's name too, or neither" });
    }
    const ledger = ledgerProblem(e.REMEDIATION, e.REMEDIATION_LEDGER_TABLE);
    if (ledger) ctx.addIssue({ code: "custom", path: ["REMEDIATION_LEDGER_TABLE"], message: ledger });
  }),
);

/** The remediator's validated settings. */
export interface RemediatorConfig {
  region: string;
  ruleSettings: Record<string, unknown>;
  remediation: Record<string, RemediationMode>;
  functionRoleArn: string;
  /** Roles whose events are never remediated besides the function's own (the log analyzer's). */
  triggerRoleArns: string[];
  /** The role assumed in member accounts (with its external id), when configured. */
  memberRole?: { name: string; externalId?: string };
  /** The remediation ledger table; set whenever a rule is `apply`. */
  ledgerTable?: string;
  /** Events older than this many minutes are never remediated. */
  maxEventAgeMinutes: number;
  /** Protected targets (ARN patterns) besides the built-in ones. */
  protectedTargets: string[];
}

/**
 * Reads the environment and checks it against `rules`, the rules that carry a remediation (the log
 * analyzer gets the same rule settings and remediation modes and checks them against the whole
 * catalog). Keeps the settings of those rules only. Throws {@link EnvError} naming every problem.
 */
export function remediatorConfig(rules: readonly CatalogRule[], env: Record<string, string | undefined> = process.env): RemediatorConfig {
  const e = parseEnv("remediator", envSchema, env);
  checkRuleEnvironment("remediator", rules, e.RULE_SETTINGS, e.REMEDIATION, { part: true });
  return {
    region: e.AWS_REGION,
    ruleSettings: settingsOf(rules, e.RULE_SETTINGS),
    remediation: e.REMEDIATION,
    functionRoleArn: e.FUNCTION_ROLE_ARN,
    triggerRoleArns: e.TRIGGER_ROLE_ARNS,
    ...(e.MEMBER_ROLE_NAME ? { memberRole: { name: e.MEMBER_ROLE_NAME, ...(e.MEMBER_ROLE_EXTERNAL_ID ? { externalId: e.MEMBER_ROLE_EXTERNAL_ID } : {}) } } : {}),
    ...(e.REMEDIATION_LEDGER_TABLE ? { ledgerTable: e.REMEDIATION_LEDGER_TABLE } : {}),
    maxEventAgeMinutes: e.MAX_EVENT_AGE_MINUTES,
    protectedTargets: e.PROTECTED_TARGETS,
  };
}
