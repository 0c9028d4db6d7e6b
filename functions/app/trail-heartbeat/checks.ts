import { alertId, type Alert, type Severity } from "../../core/alert/alert";
import { boundAlert } from "../../core/alert/bound";
import { heartbeatGuidance } from "../../core/rules/alert-kinds/heartbeat";
import type { QueueDepthError, QueueRef } from "../../adapters/aws/queue-depth";
import type { TrailCallError, TrailRef, TrailStatus } from "../../adapters/aws/trail-status";

/** The heartbeat's alert ids. Each names one condition of one protected trail. */
export const HEARTBEAT_RULES = {
  notLogging: { id: "cloudtrail.not-logging", title: "Protected trail is not logging" },
  deliveryError: { id: "cloudtrail.delivery-error", title: "Protected trail reports a delivery error" },
  deliveryStale: { id: "cloudtrail.delivery-stale", title: "Protected trail has not delivered logs recently" },
  trailMissing: { id: "cloudtrail.trail-missing", title: "Protected trail not found" },
  statusUnavailable: { id: "cloudtrail.status-unavailable", title: "Protected trail's status cannot be read" },
  guardEventsUndelivered: { id: "cloudtrail.guard-events-undelivered", title: "Trail-guard events of another region were not delivered" },
} as const;

/** What an alert is about: a protected trail, or a queue the heartbeat watches. */
export type HeartbeatSubject = Pick<TrailRef, "arn" | "account" | "region">;

/** One thing wrong with one trail, before it becomes an alert. */
export interface TrailCondition {
  rule: string;
  title: string;
  severity: Severity;
  summary: string;
  context: Record<string, unknown>;
  /** Tells apart conditions of one rule on one trail (the delivery channel). */
  variant?: string;
  /** When the condition began, when the status says. */
  since?: Date;
  /** The call that found it, for the alert's eventSource/eventName; default CloudTrail GetTrailStatus. */
  probe?: { eventSource: string; eventName: string };
}

const MINUTE = 60_000;

function ago(now: Date, t: Date): string {
  const m = Math.round((now.getTime() - t.getTime()) / MINUTE);
  if (m < 120) return `${m} min ago`;
  if (m < 48 * 60) return `${Math.round(m / 60)} h ago`;
  return `${Math.round(m / 1440)} days ago`;
}

function label(t: TrailRef): string {
  return `Trail ${t.name} (${t.region}, account ${t.account})`;
}

function latest(...dates: (Date | undefined)[]): Date | undefined {
  const ds = dates.filter((d): d is Date => d instanceof Date && !Number.isNaN(d.getTime()));
  return ds.length ? new Date(Math.max(...ds.map((d) => d.getTime()))) : undefined;
}

/** Secondary delivery channels: their errors matter, but less than the log files themselves. */
const CHANNELS = [
  { variant: "digest", what: "digest files (log file validation)", error: "LatestDigestDeliveryError", time: "LatestDigestDeliveryTime", freshMinutes: 120 },
  { variant: "cloudwatch-logs", what: "CloudWatch Logs (metric filters and alarms)", error: "LatestCloudWatchLogsDeliveryError", time: "LatestCloudWatchLogsDeliveryTime", freshMinutes: 0 },
  { variant: "sns", what: "SNS notifications of new log files", error: "LatestNotificationError", time: "LatestNotificationTime", freshMinutes: 0 },
] as const;

/**
 * What is wrong with a trail, judged from GetTrailStatus at `now`:
 * - not logging (critical); nothing else is judged then, delivery has stopped by definition;
 * - an S3 delivery error: high when delivery is also stale, low when a later delivery succeeded
 *   (CloudTrail keeps showing the last error after the fault is fixed);
 * - no log file for more than `maxAgeMinutes` (since the later of the last delivery and the last
 *   StartLogging) and no error to explain it: high;
 * - errors of digest, CloudWatch Logs or SNS delivery: medium, low when that channel delivered since.
 */
export function statusConditions(trail: TrailRef, s: TrailStatus, now: Date, maxAgeMinutes: number): TrailCondition[] {
  const checked = {
    trail: trail.arn,
    latestDeliveryTime: s.LatestDeliveryTime?.toISOString(),
    startLoggingTime: s.StartLoggingTime?.toISOString(),
    stopLoggingTime: s.StopLoggingTime?.toISOString(),
  };
  if (s.IsLogging !== true) {
    const stop = s.StopLoggingTime;
    return [
      {
        rule: HEARTBEAT_RULES.notLogging.id,
        title: HEARTBEAT_RULES.notLogging.title,
        severity: "critical",
        summary: `${label(trail)} is not logging${stop ? `; logging stopped at ${stop.toISOString()} (${ago(now, stop)})` : ""}`,
        context: { ...checked, isLogging: s.IsLogging ?? null },
        since: stop,
      },
    ];
  }

  const out: TrailCondition[] = [];
  const maxAgeMs = maxAgeMinutes * MINUTE;
  const reference = latest(s.LatestDeliveryTime, s.StartLoggingTime);
  const stale = !reference || now.getTime() - reference.getTime() > maxAgeMs;
  const lastDelivery = s.LatestDeliveryTime
    ? `the last log file was delivered at ${s.LatestDeliveryTime.toISOString()} (${ago(now, s.LatestDeliveryTime)})`
    : "no log file delivery is recorded";

  if (s.LatestDeliveryError) {
    out.push({
      rule: HEARTBEAT_RULES.deliveryError.id,
      title: HEARTBEAT_RULES.deliveryError.title,
      severity: stale ? "high" : "low",
      summary: `${label(trail)} reports the S3 delivery error ${s.LatestDeliveryError}; ${lastDelivery}${stale ? "" : ", so the error may be from an earlier attempt"}`,
      context: { ...checked, channel: "s3", error: s.LatestDeliveryError, maxDeliveryAgeMinutes: maxAgeMinutes },
      variant: "s3",
    });
  } else if (stale) {
    out.push({
      rule: HEARTBEAT_RULES.deliveryStale.id,
      title: HEARTBEAT_RULES.deliveryStale.title,
      severity: "high",
      summary: `${label(trail)} is logging but has delivered no log file for more than ${maxAgeMinutes} min; ${lastDelivery}`,
      context: { ...checked, maxDeliveryAgeMinutes: maxAgeMinutes },
      since: reference ? new Date(reference.getTime() + maxAgeMs) : undefined,
    });
  }

  for (const c of CHANNELS) {
    const error = s[c.error];
    if (!error) continue;
    const last = s[c.time];
    const fresh = last !== undefined && now.getTime() - last.getTime() <= Math.max(maxAgeMs, c.freshMinutes * MINUTE);
    out.push({
      rule: HEARTBEAT_RULES.deliveryError.id,
      title: HEARTBEAT_RULES.deliveryError.title,
      severity: fresh ? "low" : "medium",
      summary: `${label(trail)} reports an error delivering ${c.what}: ${error}${last ? `; last successful delivery ${last.toISOString()} (${ago(now, last)})` : ""}`,
      context: { trail: trail.arn, channel: c.variant, error, lastDelivery: last?.toISOString() },
      variant: c.variant,
    });
  }
  return out;
}

const NOT_FOUND = new Set(["TrailNotFoundException", "CloudTrailARNInvalidException", "InvalidTrailNameException"]);

/** A trail whose status could not be read is itself a finding: deleted, or the guard lost access. */
export function errorCondition(trail: TrailRef, err: TrailCallError): TrailCondition {
  if (NOT_FOUND.has(err.errorName)) {
    return {
      rule: HEARTBEAT_RULES.trailMissing.id,
      title: HEARTBEAT_RULES.trailMissing.title,
      severity: "critical",
      summary: `${label(trail)} was not found (${err.errorName}): it may have been deleted, and its scope is not logged`,
      context: { trail: trail.arn, error: err.message },
    };
  }
  return {
    rule: HEARTBEAT_RULES.statusUnavailable.id,
    title: HEARTBEAT_RULES.statusUnavailable.title,
    severity: "high",
    summary: `The status of trail ${trail.name} (${trail.region}, account ${trail.account}) could not be read (${err.errorName}); whether it logs is unknown`,
    context: { trail: trail.arn, error: err.message, attempts: err.attempts },
  };
}

const SQS_PROBE = { eventSource: "sqs.amazonaws.com", eventName: "GetQueueAttributes" };

/**
 * A trail guard's forwarding dead-letter queue in another region that holds events: calls of that
 * region EventBridge could not bring to the guard (they still reach the log analyzer from the log
 * files). No CloudWatch alarm can say so, since an alarm notifies only a topic of its own region.
 */
export function forwardDlqCondition(q: QueueRef, messages: number): TrailCondition | undefined {
  if (messages <= 0) return undefined;
  return {
    rule: HEARTBEAT_RULES.guardEventsUndelivered.id,
    title: HEARTBEAT_RULES.guardEventsUndelivered.title,
    severity: "high",
    summary:
      `${messages} event(s) of region ${q.region} that the trail guard should have seen are waiting in ${q.name} (${q.region}): ` +
      "EventBridge could not forward them to the home region. Read them there, fix the cause (permissions, throttling), then re-drive them; " +
      "the log analyzer reports the same calls from the log files.",
    context: { queue: q.url, region: q.region, messages },
    probe: SQS_PROBE,
  };
}

/** A forwarding dead-letter queue whose depth could not be read (deleted, or the heartbeat lost access). */
export function queueErrorCondition(q: QueueRef, err: QueueDepthError): TrailCondition {
  return {
    rule: HEARTBEAT_RULES.guardEventsUndelivered.id,
    title: HEARTBEAT_RULES.guardEventsUndelivered.title,
    severity: "medium",
    summary: `Whether trail-guard events of region ${q.region} went undelivered is unknown: ${q.name} could not be read (${err.errorName})`,
    context: { queue: q.url, region: q.region, error: err.message },
    variant: "unreadable",
    probe: SQS_PROBE,
  };
}

/** `YYYY-MM-DD` (day) or `YYYY-MM-DDTHH` (hour) in UTC. */
export function windowOf(now: Date, window: "day" | "hour"): string {
  const iso = now.toISOString();
  return window === "day" ? iso.slice(0, 10) : iso.slice(0, 13);
}

/**
 * The alert for a condition. Its id is stable per trail, condition (and channel) and time window, so
 * every run in the window produces the same id and consumers can drop repeats by id.
 */
export function heartbeatAlert(trail: HeartbeatSubject, c: TrailCondition, now: Date, window: "day" | "hour"): Alert {
  const bucket = windowOf(now, window);
  return boundAlert({
    id: alertId(c.rule, `${trail.arn}|${c.variant ?? ""}|${bucket}`),
    rule: c.rule,
    title: c.title,
    severity: c.severity,
    account: trail.account,
    region: trail.region,
    principal: "trailwatch:trail-heartbeat",
    eventSource: c.probe?.eventSource ?? "cloudtrail.amazonaws.com",
    eventName: c.probe?.eventName ?? "GetTrailStatus",
    eventTime: now.toISOString(),
    eventId: null,
    summary: c.summary,
    context: { ...c.context, checkedAt: now.toISOString(), window: bucket, ...(c.since ? { since: c.since.toISOString() } : {}) },
    ...heartbeatGuidance(c.rule),
    remediation: null,
    references: { mitre: ["T1562.008"] },
  });
}
