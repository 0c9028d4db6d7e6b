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
  /** What was checked before acting; absent when the remediation stopped before any check (off, a failed call, its own event). */
  checks?: RemediationChecks;
}

/**
 * Why a remediation refused to act before touching anything (status `skipped`; `detail` says it for people):
 * the event could not be proven to be AWS's (`unverified`), is older than the configured age (`stale`),
 * names another account than the log file's key (`account-mismatch`), was handled before
 * (`already-remediated`), or would change a protected target (`protected-target`).
 */
export const REMEDIATION_REFUSALS = ["unverified", "stale", "account-mismatch", "already-remediated", "protected-target"] as const;
export type RemediationRefusal = (typeof REMEDIATION_REFUSALS)[number];

/** Longest text of a {@link RemediationChecks} field; longer text is cut (with "…") where it is built. */
export const REMEDIATION_CHECK_TEXT_MAX = 500;

/**
 * The checks behind a remediation result, small and bounded (each text at most
 * {@link REMEDIATION_CHECK_TEXT_MAX} characters):
 * - `verifiedBy`: how the event was proven to be AWS's own before anything was done: delivered by
 *   EventBridge (`eventbridge`), or found with the same facts in CloudTrail's event history
 *   (`lookup-events`). Absent: not verified, and then nothing was changed.
 * - `refused`: set when the remediation refused to act (see {@link REMEDIATION_REFUSALS}).
 * - `found`: the current state read just before acting, e.g. "AdministratorAccess is attached to role ops".
 * - `done`: what was changed; absent when nothing was.
 */
export interface RemediationChecks {
  verifiedBy?: "eventbridge" | "lookup-events";
  refused?: RemediationRefusal;
  found?: string;
  done?: string;
}

/** Cuts a check text to {@link REMEDIATION_CHECK_TEXT_MAX} characters. */
export function boundCheckText(text: string): string {
  return text.length <= REMEDIATION_CHECK_TEXT_MAX ? text : `${text.slice(0, REMEDIATION_CHECK_TEXT_MAX - 1)}…`;
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
  /** Set on alerts a retro-hunt found in past logs (not live): sinks and e-mail filters tell them apart. */
  retroHunt?: RetroHuntMarker;
}

/** Which hunt found an alert: the execution name and the hunt's window (ISO 8601). */
export interface RetroHuntMarker {
  hunt: string;
  from: string;
  to: string;
}

/** Stable alert id: the same rule and dedup key always give the same id (sinks use it to drop redeliveries). */
export function alertId(rule: string, dedupKey: string): string {
  return createHash("sha256").update(rule).update("\u0000").update(dedupKey).digest("hex").slice(0, 32);
}
