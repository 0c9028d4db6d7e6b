import { createHash } from "node:crypto";

export const SEVERITIES = ["info", "low", "medium", "high", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Orders severities; higher is worse. */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export function isSeverity(s: string): s is Severity {
  return (SEVERITIES as readonly string[]).includes(s);
}

/** What a remediation did (or would do, in dry-run) for an alert. */
export interface RemediationResult {
  action: string;
  mode: "dry-run" | "apply";
  status: "succeeded" | "failed" | "skipped" | "planned";
  detail: string;
}

/**
 * The one alert shape every capability emits and every sink consumes.
 *
 * Beyond DESIGN.md's shape, `occurrences` and `lastEventTime` say how many events collapsed into this
 * alert by dedup key within one run, so dedup never hides volume.
 */
export interface Alert {
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  account: string;
  region: string;
  principal: string;
  principalType?: string;
  eventSource: string;
  eventName: string;
  eventTime: string;
  eventId: string | null;
  summary: string;
  context: Record<string, unknown>;
  remediation: RemediationResult | null;
  references?: { mitre?: string[]; stratus?: string[] };
  /** The first steps of the rule's runbook: what to check first, how to contain (see `core/rules/guidance.ts`). */
  runbook?: { triage: string[]; contain: string[] };
  occurrences?: number;
  lastEventTime?: string;
}

/** Stable alert id: the same rule and dedup key always give the same id (sinks use it to drop redeliveries). */
export function alertId(rule: string, dedupKey: string): string {
  return createHash("sha256").update(rule).update("\u0000").update(dedupKey).digest("hex").slice(0, 32);
}
