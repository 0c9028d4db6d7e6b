import { SEVERITIES, type Severity } from "../alert/alert";
import { ACCOUNT_ID, REGION } from "../aws/identifiers";
import { formatInstant, parseInstant, TimeWindowError, type TimeWindow } from "../sources/time-window";
import * as z from "../zod";

/**
 * The input of a retro-hunt execution: a time window, and optionally the accounts, regions and rule
 * ids to hunt with, a severity floor, and whether the alerts also go to the alert topic. Pure: the
 * plan function validates it (with the execution's start time as "now") before anything is listed.
 */

/** Execution names Step Functions accepts (and that are safe in an S3 key): 1-80 of letters, digits, `-` and `_`. */
export const HUNT_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Rule ids as the catalog writes them (`service.what-happened`). */
const RULE_ID = /^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/;

/** Bounds on the lists an input may carry (an execution input is at most 256 KB; these keep it far below). */
export const HUNT_INPUT_LIMITS = { accounts: 1000, regions: 50, rules: 500 } as const;

/** Thrown (and, in the state machine, surfaced as error `InvalidInput`) for an input that can never succeed. */
export class InvalidHuntInputError extends Error {
  override name = "InvalidInput";
}

/** An example input, for error messages and documentation. */
export const HUNT_INPUT_EXAMPLE =
  '{"from": "2026-10-01", "to": "2026-11-01", "accounts": ["111122223333"], "regions": ["eu-west-1"], "rules": ["cloudtrail.logging-stopped"]}';

const list = (name: string, re: RegExp, what: string, max: number) =>
  z.optional(
    z
      .array(z.string({ error: `${name} must list strings` }).check(z.regex(re, `is not ${what}`)), { error: `${name} must be a list of strings` })
      .check(z.minLength(1, `${name} is empty: leave it out to hunt in every one found`), z.maxLength(max, `${name} lists more than ${max} entries`)),
  );

export const huntInputSchema = z.strictObject(
  {
    from: z.string({ error: "from is required: the start of the window (UTC), e.g. 2026-10-01 or 2026-10-01T06:00:00Z" }).check(z.maxLength(64)),
    to: z.string({ error: "to is required: the end of the window (UTC; a date alone includes that whole day)" }).check(z.maxLength(64)),
    accounts: list("accounts", ACCOUNT_ID, "a 12-digit account id", HUNT_INPUT_LIMITS.accounts),
    regions: list("regions", REGION, "a region name such as eu-west-1", HUNT_INPUT_LIMITS.regions),
    rules: list("rules", RULE_ID, "a rule id such as cloudtrail.logging-stopped", HUNT_INPUT_LIMITS.rules),
    minSeverity: z.optional(z.enum(SEVERITIES, { error: `minSeverity must be one of ${SEVERITIES.join(", ")}` })),
    publishAlerts: z.optional(z.boolean({ error: "publishAlerts must be true or false" })),
  },
  { error: (i) => (i.code === "unrecognized_keys" ? `unknown field(s) ${i.keys.join(", ")}` : undefined) },
);

export type HuntInput = z.input<typeof huntInputSchema>;

/** A validated hunt: what the plan lists and every batch scans with. */
export interface HuntRequest {
  window: TimeWindow;
  accounts?: string[];
  regions?: string[];
  rules?: string[];
  minSeverity?: Severity;
  publishAlerts: boolean;
}

/** What the deployment allows, checked against the input. */
export interface HuntLimits {
  /** Longest window, in days. */
  maxWindowDays: number;
  /**
   * Rule ids a hunt may name: the catalog's and the deployment's own (an input naming another fails
   * before anything is read). Absent: not known here (the deployment's plan step checks them).
   */
  ruleIds?: ReadonlySet<string>;
  /** Rules the deployment's `rules` section switches off: a hunt naming one is refused, saying so. */
  disabledRuleIds?: ReadonlySet<string>;
  /** Whether this deployment may publish a hunt's alerts to the alert topic. */
  publishAllowed: boolean;
}

function describe(error: z.core.$ZodError): string {
  return error.issues
    .map((i) => {
      const field = i.path.map(String).join(".");
      return field && !i.message.startsWith(field.split(".")[0]!) ? `${field}: ${i.message}` : i.message;
    })
    .join("; ");
}

/**
 * Validates an execution input. The window is read as `trailwatch scan` reads `--from`/`--to` (UTC
 * dates or times; a date alone as `to` includes that day), must start before it ends, may not start
 * after `now` (the execution's start) and may span at most `maxWindowDays`. Every problem is named
 * in one {@link InvalidHuntInputError}.
 */
export function parseHuntInput(raw: unknown, now: Date, limits: HuntLimits): HuntRequest {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InvalidHuntInputError(`invalid hunt input: expected a JSON object such as ${HUNT_INPUT_EXAMPLE}`);
  }
  const res = huntInputSchema.safeParse(raw);
  if (!res.success) throw new InvalidHuntInputError(`invalid hunt input: ${describe(res.error)}; e.g. ${HUNT_INPUT_EXAMPLE}`);
  const v = res.data;
  const problems: string[] = [];
  let from: Date | undefined;
  let to: Date | undefined;
  try {
    from = parseInstant("from", v.from);
  } catch (e) {
    if (!(e instanceof TimeWindowError)) throw e;
    problems.push(e.message);
  }
  try {
    to = parseInstant("to", v.to, { endOfDay: true });
  } catch (e) {
    if (!(e instanceof TimeWindowError)) throw e;
    problems.push(e.message);
  }
  if (from && to) {
    if (from.getTime() >= to.getTime()) problems.push(`the window is empty: from ${formatInstant(from)} is not before to ${formatInstant(to)}`);
    else if (from.getTime() > now.getTime()) problems.push(`from ${formatInstant(from)} is after the execution started (${formatInstant(now)}): there are no logs to hunt in yet`);
    const days = (to.getTime() - from.getTime()) / 86_400_000;
    if (days > limits.maxWindowDays) {
      problems.push(`the window spans ${Math.ceil(days)} days, more than this deployment's maxWindowDays (${limits.maxWindowDays}); split it into several hunts or raise retroHunt.maxWindowDays`);
    }
  }
  const known = limits.ruleIds;
  const unknown = known ? (v.rules ?? []).filter((r) => !known.has(r)) : [];
  if (unknown.length > 0) problems.push(`rules: unknown rule id(s) ${unknown.join(", ")} (trailwatch rules lists the catalog)`);
  const off = (v.rules ?? []).filter((r) => limits.disabledRuleIds?.has(r));
  if (off.length > 0) problems.push(`rules: ${off.join(", ")} switched off in this deployment (enabled: false in its rules section)`);
  if (v.publishAlerts && !limits.publishAllowed) {
    problems.push("publishAlerts: this deployment does not publish hunt alerts to the alert topic (retroHunt.publishAlerts is false); the alerts are in the results bucket");
  }
  if (problems.length > 0) throw new InvalidHuntInputError(`invalid hunt input: ${problems.join("; ")}`);
  return {
    window: { from: from!, to: to! },
    ...(v.accounts ? { accounts: [...new Set(v.accounts)] } : {}),
    ...(v.regions ? { regions: [...new Set(v.regions)] } : {}),
    ...(v.rules ? { rules: [...new Set(v.rules)] } : {}),
    ...(v.minSeverity ? { minSeverity: v.minSeverity } : {}),
    publishAlerts: v.publishAlerts === true,
  };
}
