import * as z from "../zod";

/**
 * Settings of the anomaly detection, shared by the deployed discernment (environment variable
 * `ANOMALY_SETTINGS`, JSON) and `trailwatch replay`. Every field has a default.
 */
export const anomalySettingsSchema = z.strictObject({
  /** How long an action stays in a principal's baseline after it was last seen (DynamoDB TTL). */
  baselineDays: z._default(z.int().check(z.minimum(1), z.maximum(365)), 90),
  /** No alerts until the account, and the principal, have been watched this long. */
  warmUpDays: z._default(z.int().check(z.minimum(0), z.maximum(365)), 14),
  /** Refresh a known action's TTL at most this often (fewer writes; TTL precision = this). */
  refreshHours: z._default(z.int().check(z.minimum(1), z.maximum(24 * 30)), 24),
  /** Minutes after the window's end whose log files are still read (see scan plan). */
  deliveryPadMinutes: z._default(z.int().check(z.minimum(0), z.maximum(24 * 60)), 10),
  /** Also learn and alert on AWS service principals and service-linked roles (off: they are AWS's own behaviour). */
  includeServicePrincipals: z._default(z.boolean(), false),
  /** Principals never learned nor alerted on: exact ids or `*` patterns, e.g. `arn:aws:iam::*:role/OrganizationAccountAccessRole`. */
  ignorePrincipals: z._default(z.array(z.string().check(z.minLength(1))), []),
  /** Actions never learned nor alerted on: `eventSource:eventName` or `service:eventName`, `*` allowed (`iam:List*`). */
  ignoreActions: z._default(z.array(z.string().check(z.minLength(1), z.regex(/^[^:]+:[^:]+$/, "expected service:EventName, e.g. iam:ListRoles"))), []),
});

export type AnomalySettings = z.infer<typeof anomalySettingsSchema>;
export type AnomalySettingsInput = z.input<typeof anomalySettingsSchema>;

/** Parses settings and says which field was wrong. */
export function parseAnomalySettings(input: unknown, where = "anomaly settings"): AnomalySettings {
  const r = anomalySettingsSchema.safeParse(input ?? {});
  if (r.success) return r.data;
  const i = r.error.issues[0]!;
  throw new Error(`${where}: ${i.path.join(".") || "(root)"}: ${i.message}`);
}

function globToRegExp(pattern: string): RegExp {
  return new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
}

/** A matcher over `*` patterns; exact strings match themselves. */
export function patternMatcher(patterns: readonly string[]): (value: string) => boolean {
  const res = patterns.map(globToRegExp);
  return (v) => res.some((re) => re.test(v));
}

/** Matches an action against `ignoreActions` in either spelling (`iam.amazonaws.com:X` or `iam:X`). */
export function actionMatcher(patterns: readonly string[]): (eventSource: string, eventName: string) => boolean {
  const m = patternMatcher(patterns);
  return (src, name) => m(`${src}:${name}`) || m(`${src.replace(/\.amazonaws\.com$/, "")}:${name}`);
}
