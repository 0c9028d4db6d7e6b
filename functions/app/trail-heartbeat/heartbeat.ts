import type { Alert } from "../../core/alert/alert";
import { TrailCallError, type TrailControl, type TrailRef } from "../../adapters/aws/trail-status";
import { QueueDepthError, type QueueDepth, type QueueRef } from "../../adapters/aws/queue-depth";
import { errorCondition, forwardDlqCondition, heartbeatAlert, queueErrorCondition, statusConditions, type HeartbeatSubject, type TrailCondition } from "./checks";
import type { AlertGate } from "../../core/ports";

export interface HeartbeatDeps {
  trails: readonly TrailRef[];
  control: Pick<TrailControl, "status">;
  /** The trail guard's forwarding dead-letter queues in other regions, and how to read their depth. */
  forwardDlqs?: { queues: readonly QueueRef[]; depth: Pick<QueueDepth, "messages"> };
  maxDeliveryAgeMinutes: number;
  gate: AlertGate;
  /** Publishes alerts, marked for email or not (SNS message attribute `email`). */
  publish(alerts: Alert[], email: boolean): Promise<void>;
  now: Date;
}

/** What one run found and did. */
export interface HeartbeatReport {
  checked: number;
  healthy: string[];
  alerts: { id: string; rule: string; severity: string; trail: string; email: boolean | "suppressed" }[];
}

/**
 * Checks every protected trail once (GetTrailStatus in its home region, throttling retried) and the
 * trail guard's forwarding dead-letter queues of other regions, turns what is wrong into alerts, lets the gate decide how they are published, and publishes them in one
 * go. If publishing fails the gate's claims are given back and the error is thrown, so the scheduled
 * invocation is retried (and ends in the function's DLQ) instead of losing the alerts.
 */
export async function runHeartbeat(deps: HeartbeatDeps): Promise<HeartbeatReport> {
  const found = await Promise.all(
    deps.trails.map(async (trail): Promise<{ trail: TrailRef; conditions: TrailCondition[] }> => {
      try {
        const status = await deps.control.status(trail);
        return { trail, conditions: statusConditions(trail, status, deps.now, deps.maxDeliveryAgeMinutes) };
      } catch (err) {
        if (err instanceof TrailCallError) return { trail, conditions: [errorCondition(trail, err)] };
        throw err;
      }
    }),
  );
  const queues = await Promise.all(
    (deps.forwardDlqs?.queues ?? []).map(async (q): Promise<{ subject: HeartbeatSubject; conditions: TrailCondition[] }> => {
      try {
        const c = forwardDlqCondition(q, await deps.forwardDlqs!.depth.messages(q));
        return { subject: q, conditions: c ? [c] : [] };
      } catch (err) {
        if (err instanceof QueueDepthError) return { subject: q, conditions: [queueErrorCondition(q, err)] };
        throw err;
      }
    }),
  );

  const candidates = [...found.map((f) => ({ subject: f.trail, conditions: f.conditions })), ...queues].flatMap(({ subject, conditions }) =>
    conditions.map((c) => ({ alert: heartbeatAlert(subject, c, deps.now, deps.gate.window), since: c.since, trail: subject })),
  );
  const plan = await deps.gate.plan(candidates, deps.now);
  const published: Alert[] = [];
  try {
    if (plan.email.length) {
      await deps.publish(plan.email, true);
      published.push(...plan.email);
    }
    if (plan.quiet.length) await deps.publish(plan.quiet, false);
  } catch (err) {
    await plan.undo([...plan.email, ...plan.quiet].filter((a) => !published.includes(a)));
    throw err;
  }

  const fate = (a: Alert): boolean | "suppressed" => (plan.email.includes(a) ? true : plan.quiet.includes(a) ? false : "suppressed");
  return {
    checked: deps.trails.length,
    healthy: found.filter((f) => f.conditions.length === 0).map((f) => f.trail.arn),
    alerts: candidates.map((c) => ({ id: c.alert.id, rule: c.alert.rule, severity: c.alert.severity, trail: c.trail.arn, email: fate(c.alert) })),
  };
}
