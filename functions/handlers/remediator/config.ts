import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { AnyRule } from "../../core/rules/rule";
import type { RemediationMode } from "../../core/remediation/permissions";
import { arnVar, jsonVar, parseEnv } from "../shared/env";
import { checkRuleEnvironment, settingsOf } from "../shared/rule-env";

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

const envSchema = z.object({
  AWS_REGION: z.string().trim().min(1),
  RULE_SETTINGS: jsonVar(z.record(z.string(), z.unknown()).default({}), 'a JSON object keyed by rule id, e.g. {"ec2.security-group-open-to-world": {"allowedPorts": [443]}}'),
  REMEDIATION: jsonVar(
    z.record(z.string(), z.enum(["off", "dry-run", "apply"])).default({}),
    'a JSON object of rule id to "off", "dry-run" or "apply", e.g. {"iam.admin-policy-attached": "dry-run"}',
  ),
  /** The function's own role: its own calls are never remediated (set by modules/log-analyzer). */
  FUNCTION_ROLE_ARN: arnVar("iam", "arn:aws:iam::111122223333:role/trailwatch-remediator"),
  /** Comma-separated role ARNs of the trailwatch functions that invoke this one; their events are never remediated. */
  TRIGGER_ROLE_ARNS: z
    .string()
    .default("")
    .transform((v) => v.split(",").map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(ROLE_ARN, "must be IAM role ARNs separated by commas, e.g. arn:aws:iam::111122223333:role/trailwatch-log-analyzer"))),
});

/** The remediator's validated settings. */
export interface RemediatorConfig {
  region: string;
  ruleSettings: Record<string, unknown>;
  remediation: Record<string, RemediationMode>;
  functionRoleArn: string;
  /** Roles whose events are never remediated besides the function's own (the log analyzer's). */
  triggerRoleArns: string[];
}

/**
 * Reads the environment and checks it against `rules`, the rules that carry a remediation (the log
 * analyzer gets the same rule settings and remediation modes and checks them against the whole
 * catalog). Keeps the settings of those rules only. Throws {@link EnvError} naming every problem.
 */
export function remediatorConfig(rules: readonly AnyRule[], env: Record<string, string | undefined> = process.env): RemediatorConfig {
  const e = parseEnv("remediator", envSchema, env);
  checkRuleEnvironment("remediator", rules, e.RULE_SETTINGS, e.REMEDIATION, { part: true });
  return {
    region: e.AWS_REGION,
    ruleSettings: settingsOf(rules, e.RULE_SETTINGS),
    remediation: e.REMEDIATION,
    functionRoleArn: e.FUNCTION_ROLE_ARN,
    triggerRoleArns: e.TRIGGER_ROLE_ARNS,
  };
}
