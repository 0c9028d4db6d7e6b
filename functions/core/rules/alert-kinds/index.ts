import { NEW_BEHAVIOR_KIND } from "./anomaly";
import { HEARTBEAT_KINDS } from "./heartbeat";
import { guidanceOf, type AlertKind } from "./kind";
import { RUN_FAILED_KIND, RUN_SUMMARY_KIND, UNUSUAL_ACTIVITY_KIND } from "./scoring";
import { TRAIL_TAMPERING_KIND } from "./trail-guard";

export * from "./kind";
export { NEW_BEHAVIOR_KIND, HEARTBEAT_KINDS, RUN_FAILED_KIND, RUN_SUMMARY_KIND, UNUSUAL_ACTIVITY_KIND, TRAIL_TAMPERING_KIND };

/** Every alert raised outside the catalog. */
export const ALERT_KINDS: readonly AlertKind[] = [NEW_BEHAVIOR_KIND, UNUSUAL_ACTIVITY_KIND, RUN_SUMMARY_KIND, RUN_FAILED_KIND, ...HEARTBEAT_KINDS, TRAIL_TAMPERING_KIND];

const byId = new Map(ALERT_KINDS.map((k) => [k.id, k]));

/** The description of an alert raised outside the catalog; throws on an unknown id (a programming error). */
export function alertKind(id: string): AlertKind {
  const k = byId.get(id);
  if (!k) throw new Error(`no alert kind "${id}" in ALERT_KINDS`);
  return k;
}

/** ATT&CK ids and runbook steps of an alert kind by id. */
export function kindGuidance(id: string): ReturnType<typeof guidanceOf> {
  return guidanceOf(alertKind(id));
}
