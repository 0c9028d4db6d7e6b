import type { Activity } from "../ports";

/**
 * One row of the activity query: a principal's distinct action in a window. Extends the core
 * `Activity` with what severity needs: how many calls changed something (CloudTrail `readOnly`
 * false) and where.
 */
export interface ObservedActivity extends Activity {
  /** Calls CloudTrail marked `readOnly: false` (0 when all were reads or the flag was absent). */
  writes: number;
  /** One region the action was seen in (the first alphabetically) and how many regions in all. */
  region: string;
  regions: number;
}

/** The baseline's name for an action: `eventSource:eventName`, e.g. `iam.amazonaws.com:CreateUser`. */
export function actionKey(a: { eventSource: string; eventName: string }): string {
  return `${a.eventSource}:${a.eventName}`;
}

/** Turns a result row (strings from Athena, numbers or bigints from DuckDB) into an activity. */
export function activityFromRow(account: string, row: Record<string, unknown>): ObservedActivity {
  const str = (k: string) => {
    const v = row[k];
    if (v === null || v === undefined) return "";
    return String(v);
  };
  const num = (k: string) => {
    const n = Number(row[k] ?? 0);
    if (!Number.isFinite(n)) throw new RangeError(`activity row: ${k} is not a number (${String(row[k])})`);
    return n;
  };
  return {
    account,
    principal: str("principal"),
    principalType: str("principal_type"),
    eventSource: str("eventsource"),
    eventName: str("eventname"),
    firstSeen: str("first_seen"),
    lastSeen: str("last_seen"),
    count: num("events"),
    writes: num("writes"),
    region: str("region"),
    regions: num("regions"),
  };
}
