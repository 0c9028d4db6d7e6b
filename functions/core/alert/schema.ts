import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import { REMEDIATION_REFUSALS, SEVERITIES, type Alert } from "./alert";

const nonEmpty = z.string().min(1, "must be a non-empty string");

/** `RemediationChecks`: what was verified, refused, found and done before and while acting. */
export const remediationChecksSchema = z.looseObject({
  verifiedBy: z.enum(["eventbridge", "lookup-events"]).optional(),
  refused: z.enum(REMEDIATION_REFUSALS).optional(),
  found: z.string().optional(),
  done: z.string().optional(),
});

const remediationSchema = z.looseObject({
  action: z.string(),
  mode: z.enum(["dry-run", "apply"]),
  status: z.enum(["succeeded", "failed", "skipped", "planned"]),
  detail: z.string(),
  checks: remediationChecksSchema.optional(),
});

/**
 * The alert as it travels between capabilities (SNS -> SQS -> HEC forwarder, files, replays).
 * Fields the `Alert` interface names are checked; unknown fields are kept (`looseObject`), so a
 * consumer built before a producer added a field still forwards the whole alert.
 */
export const alertSchema = z.looseObject({
  id: nonEmpty,
  rule: nonEmpty,
  title: z.string(),
  severity: z.enum(SEVERITIES),
  account: z.string(),
  region: z.string(),
  principal: z.string(),
  principalType: z.string().optional(),
  eventSource: z.string(),
  eventName: z.string(),
  eventTime: nonEmpty,
  eventId: z.string().nullable(),
  summary: z.string(),
  context: z.record(z.string(), z.unknown()),
  remediation: remediationSchema.nullable(),
  references: z.looseObject({ mitre: z.array(z.string()).optional(), stratus: z.array(z.string()).optional() }).optional(),
  occurrences: z.number().int().positive().optional(),
  lastEventTime: z.string().optional(),
  retroHunt: z.looseObject({ hunt: z.string(), from: z.string(), to: z.string() }).optional(),
});

/**
 * Validates a value as an Alert. The reason names the first offending field, e.g.
 * `severity: Invalid option: expected one of "info"|"low"|...`.
 */
export function parseAlert(value: unknown): { ok: true; alert: Alert } | { ok: false; reason: string } {
  const res = alertSchema.safeParse(value);
  if (res.success) return { ok: true, alert: res.data as Alert };
  const issue = res.error.issues[0];
  return { ok: false, reason: `${issue?.path.join(".") || "(alert)"}: ${issue?.message ?? "invalid"}` };
}
