import * as z from "../zod";
import { REMEDIATION_REFUSALS, SEVERITIES, type Alert } from "./alert";

const nonEmpty = z.string().check(z.minLength(1, "must be a non-empty string"));

/** `RemediationChecks`: what was verified, refused, found and done before and while acting. */
export const remediationChecksSchema = z.looseObject({
  verifiedBy: z.optional(z.enum(["eventbridge", "lookup-events"])),
  refused: z.optional(z.enum(REMEDIATION_REFUSALS)),
  found: z.optional(z.string()),
  done: z.optional(z.string()),
});

const remediationSchema = z.looseObject({
  action: z.string(),
  mode: z.enum(["dry-run", "apply"]),
  status: z.enum(["succeeded", "failed", "skipped", "planned"]),
  detail: z.string(),
  checks: z.optional(remediationChecksSchema),
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
  principalType: z.optional(z.string()),
  eventSource: z.string(),
  eventName: z.string(),
  eventTime: nonEmpty,
  eventId: z.nullable(z.string()),
  summary: z.string(),
  context: z.record(z.string(), z.unknown()),
  remediation: z.nullable(remediationSchema),
  references: z.optional(z.looseObject({ mitre: z.optional(z.array(z.string())), stratus: z.optional(z.array(z.string())) })),
  runbook: z.optional(z.looseObject({ triage: z.array(z.string()), contain: z.array(z.string()) })),
  occurrences: z.optional(z.int().check(z.positive())),
  lastEventTime: z.optional(z.string()),
  retroHunt: z.optional(z.looseObject({ hunt: z.string(), from: z.string(), to: z.string() })),
});

/**
 * Validates a value as an Alert. The reason names the first offending field, e.g.
 * `severity: Invalid option: expected one of "info"|"low"|...`.
 */
export function parseAlert(value: unknown): { ok: true; alert: Alert } | { ok: false; reason: string } {
  const res = alertSchema.safeParse(value);
  if (res.success) return { ok: true, alert: res.data };
  const issue = res.error.issues[0];
  return { ok: false, reason: `${issue?.path.join(".") || "(alert)"}: ${issue?.message ?? "invalid"}` };
}
