import { boundCheckText, type Alert, type RemediationRefusal, type RemediationResult } from "../../core/alert/alert";
import { boundAlert } from "../../core/alert/bound";
import { AlertCollector } from "../../core/alert/collector";
import type { AlertSink } from "../../core/ports";
import { accountOfRecord, isFailedCall, type CloudTrailRecord } from "../../core/record/schema";
import { toAlert, type Finding, type RuleEngine } from "../../core/rules/engine";
import { DEFAULT_MAX_EVENT_AGE_MINUTES, eventAgeProblem } from "../../core/remediation/event-checks";
import type { RemediationMode } from "../../core/remediation/permissions";
import { findProtectedTrail, TrailCallError, type TrailControl, type TrailRef } from "../../adapters/aws/trail-status";
import { parseGuardEvent } from "./event";

/** The role the guard runs as (from STS GetCallerIdentity): its own StartLogging calls are not news. */
export interface SelfIdentity {
  account: string;
  roleName: string;
}

/** True when the record is a call made by the guard's own role. */
export function isOwnCall(r: CloudTrailRecord, self: SelfIdentity | undefined): boolean {
  if (!self || r.userIdentity?.type !== "AssumedRole") return false;
  const issuer = r.userIdentity.sessionContext?.sessionIssuer;
  const roleName = issuer?.userName ?? issuer?.arn?.slice(issuer.arn.lastIndexOf("/") + 1);
  const account = issuer?.accountId ?? r.userIdentity.accountId;
  return roleName === self.roleName && account === self.account;
}

/** The logging a guard does (Powertools Logger fits). */
export interface GuardLogger {
  info(message: string, ...extra: Record<string, unknown>[]): void;
  warn(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface TrailGuardDeps {
  /** The shared rule catalog. */
  catalog: RuleEngine;
  /** The guard's catch-all (`trailTamperingRule`), consulted only when the catalog found nothing. */
  fallback: RuleEngine;
  protectedTrails: readonly TrailRef[];
  remediation: Readonly<Record<string, RemediationMode>>;
  control: Pick<TrailControl, "startLogging" | "status">;
  sink: AlertSink;
  /** Who the guard runs as; undefined when it cannot be told (then nothing is treated as its own). */
  self: () => Promise<SelfIdentity | undefined>;
  logger?: GuardLogger;
  /** Events older than this are never remediated (default 60 minutes; EventBridge retries a delivery for up to a day). */
  maxEventAgeMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
}

/** What the guard did with one event. */
export type GuardOutcome =
  | { outcome: "alerted"; alerts: Alert[] }
  | { outcome: "ignored"; reason: string }
  | { outcome: "no-match"; reason: string };

/**
 * The trail guard: one EventBridge CloudTrail event in, at most one publish out.
 *
 * The record runs through the catalog; when no catalog rule matched, through the guard's catch-all, so
 * nothing done to a trail, its bucket or key goes unreported. A successful StopLogging of a protected
 * trail is remediated (per `REMEDIATION`) before publishing, and the outcome travels inside the alert:
 * one message per incident. Only a live EventBridge delivery whose envelope agrees with its record
 * is acted on (see `deliveryProblem`), only within the age limit, and only when the trail is still
 * not logging. Failed calls are never acted on; the guard's own StartLogging is ignored,
 * so a restart cannot set off another alert or another restart.
 */
export class TrailGuard {
  constructor(private readonly deps: TrailGuardDeps) {}

  async handle(event: unknown): Promise<GuardOutcome> {
    const { record, unverified } = parseGuardEvent(event);
    const log = this.deps.logger;

    if (record.eventName === "StartLogging" && isOwnCall(record, await this.deps.self())) {
      log?.info("ignoring the guard's own StartLogging", { eventId: record.eventID });
      return { outcome: "ignored", reason: "StartLogging by the trail guard's own role (its remediation)" };
    }

    const findings = this.findings(record);
    if (findings.length === 0) {
      const reason = `no rule matched ${record.eventSource} ${record.eventName}`;
      log?.info(reason, { eventId: record.eventID, errorCode: record.errorCode ?? undefined });
      return { outcome: "no-match", reason };
    }

    const collector = new AlertCollector();
    for (const f of findings) {
      const alert = toAlert(f);
      const trail = this.protectedTrailOf(record);
      if (trail) alert.context = { ...alert.context, protectedTrail: trail.arn };
      alert.remediation = await this.remediate(f, trail, unverified);
      // Bounded again: the remediation detail quotes names and AWS error messages.
      collector.add(boundAlert(alert));
    }
    const alerts = collector.all();
    await this.deps.sink.send(alerts);
    log?.info("published", { alerts: alerts.map((a) => ({ id: a.id, rule: a.rule, severity: a.severity, remediation: a.remediation?.status ?? null })) });
    return { outcome: "alerted", alerts };
  }

  private findings(record: CloudTrailRecord): Finding[] {
    for (const engine of [this.deps.catalog, this.deps.fallback]) {
      const ev = engine.evaluate(record);
      if (ev.kind === "invalid") throw new Error(`record ${record.eventID ?? ""} rejected by the engine: ${ev.reason}`);
      if (ev.findings.length) return ev.findings;
    }
    return [];
  }

  private protectedTrailOf(r: CloudTrailRecord): TrailRef | undefined {
    if (r.eventSource !== "cloudtrail.amazonaws.com") return undefined;
    const p = r.requestParameters ?? {};
    const name = [p.name, p.trailName, p.resourceId].find((v): v is string => typeof v === "string");
    return findProtectedTrail(this.deps.protectedTrails, name, { account: accountOfRecord(r), region: r.awsRegion ?? "" });
  }

  /**
   * Runs (or plans) the finding's remediation; null when none is configured for its rule. The event
   * counts as verified by its EventBridge delivery (`unverified` says why not); a stale event is
   * refused; apply mode reads the trail's status first and starts logging only when it is stopped.
   */
  private async remediate(f: Finding, trail: TrailRef | undefined, unverified: string | undefined): Promise<RemediationResult | null> {
    const mode = this.deps.remediation[f.rule.id] ?? "off";
    if (mode === "off" || !f.rule.remediation) return null;
    const action = f.rule.remediation;
    const refuse = (refused: RemediationRefusal, why: string, verified: boolean): RemediationResult => ({
      action, mode, status: "skipped", detail: `not remediated: ${refused}: ${why}`,
      checks: { ...(verified ? { verifiedBy: "eventbridge" as const } : {}), refused },
    });
    if (action !== "cloudtrail.start-logging") {
      return { action, mode, status: "skipped", detail: `the trail guard carries out only cloudtrail.start-logging; ${action} is not done here` };
    }
    if (isFailedCall(f.record)) {
      return { action, mode, status: "skipped", detail: `the call failed (${f.record.errorCode}), so logging never stopped; nothing to restart` };
    }
    if (unverified) return refuse("unverified", unverified, false);
    const old = eventAgeProblem(f.record.eventTime, this.deps.now?.() ?? new Date(), this.deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MINUTES * 60_000);
    if (old) return refuse("stale", old, true);
    const verifiedBy = "eventbridge" as const;
    const named = (f.record.requestParameters)?.name;
    if (!trail) {
      return { action, mode, status: "skipped", detail: `trail ${typeof named === "string" ? named : "(unnamed)"} is not in PROTECTED_TRAILS; only protected trails are restarted`, checks: { verifiedBy } };
    }
    if (mode === "dry-run") {
      return { action, mode, status: "planned", detail: `dry-run: would call StartLogging on ${trail.arn} in ${trail.region}`, checks: { verifiedBy } };
    }
    const state = (found: string, done?: string) => ({ checks: { verifiedBy, found: boundCheckText(found), ...(done ? { done: boundCheckText(done) } : {}) } });
    // The re-check: a trail that is logging again (someone restarted it, or an earlier delivery of this event did) is left alone.
    let found: string;
    try {
      const before = await this.deps.control.status(trail);
      if (before.IsLogging === true) return { action, mode, status: "skipped", detail: `trail ${trail.arn} is logging again; nothing to do`, ...state(`trail ${trail.arn} is logging`) };
      found = `trail ${trail.arn} is not logging`;
    } catch (err) {
      const why = err instanceof TrailCallError ? err.message : `GetTrailStatus on ${trail.arn} failed: ${(err as Error).message}`;
      this.deps.logger?.warn("remediation failed", { trail: trail.arn, error: why });
      return { action, mode, status: "failed", detail: `${why}; check the trail and restart it by hand if it is stopped`, checks: { verifiedBy } };
    }
    try {
      const { attempts } = await this.deps.control.startLogging(trail);
      const tries = attempts > 1 ? ` (after ${attempts} attempts)` : "";
      const done = `called StartLogging on ${trail.arn} in ${trail.region}${tries}`;
      try {
        const status = await this.deps.control.status(trail);
        const confirmed = status.IsLogging === true ? "GetTrailStatus confirms the trail is logging" : "but GetTrailStatus still reports IsLogging = false";
        return { action, mode, status: status.IsLogging === true ? "succeeded" : "failed", detail: `${done}; ${confirmed}`, ...state(found, done) };
      } catch (err) {
        return { action, mode, status: "succeeded", detail: `${done}; could not confirm: ${(err as Error).message}`, ...state(found, done) };
      }
    } catch (err) {
      const why = err instanceof TrailCallError ? err.message : `StartLogging on ${trail.arn} failed: ${(err as Error).message}`;
      this.deps.logger?.warn("remediation failed", { trail: trail.arn, error: why });
      return { action, mode, status: "failed", detail: `${why}; restart the trail by hand`, ...state(found) };
    }
  }
}
