import { alertId, type Alert } from "../alert/alert";
import { boundAlert } from "../alert/bound";
import { NEW_BEHAVIOR_KIND } from "../rules/alert-kinds/anomaly";
import { guidanceOf } from "../rules/alert-kinds/kind";
import { shortPrincipal } from "../record/principal";
import { actionName, classifyAction } from "./actions";
import type { ObservedActivity } from "./activity";
import type { AccountBaseline, PrincipalBaseline } from "./baseline";
import type { SeverityResult } from "./severity";
import type { RoleTrust } from "./trust";
import type { QueryWindow } from "./window";

export const ANOMALY_RULE_ID = "anomaly.new-behavior";

export interface AnomalyAlertInput {
  account: string;
  accountName?: string;
  unit?: string;
  principal: string;
  principalType: string;
  newActions: readonly ObservedActivity[];
  principalBaseline: PrincipalBaseline;
  baselineSize: number;
  accountBaseline: AccountBaseline;
  baselineDays: number;
  window: QueryWindow;
  now: Date;
  rank: SeverityResult;
  trust?: RoleTrust;
}

const DAY = 86_400_000;
const MAX_LISTED = 5;

const KIND_ORDER = ["evasion", "identity", "crypto", "data", "write", "read"];

/**
 * One alert per principal and run: what it did for the first time in `baselineDays`, when, how
 * old and big its baseline is, and why the severity. The id is stable for the same principal and
 * the same new actions, so a retried or overlapping run produces the same alert (sinks drop it).
 */
export function buildAnomalyAlert(i: AnomalyAlertInput): Alert {
  const actions = i.newActions
    .map((a) => ({ a, kind: classifyAction(a.eventSource, a.eventName, a.writes) }))
    .sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind) || x.a.firstSeen.localeCompare(y.a.firstSeen));
  const top = actions[0]!.a;
  const names = actions.map((x) => actionName(x.a.eventSource, x.a.eventName));
  const listed = names.slice(0, MAX_LISTED).join(", ") + (names.length > MAX_LISTED ? ` and ${names.length - MAX_LISTED} more` : "");
  const earliest = actions.reduce((m, x) => (x.a.firstSeen < m ? x.a.firstSeen : m), top.firstSeen);
  const latest = actions.reduce((m, x) => (x.a.lastSeen > m ? x.a.lastSeen : m), top.lastSeen);
  const regions = [...new Set(actions.map((x) => x.a.region).filter(Boolean))];
  const ageDays = (iso: string) => Math.round(((i.now.getTime() - Date.parse(iso)) / DAY) * 10) / 10;
  const dedupKey = `${i.account}|${i.principal}|${[...names].sort().join(",")}`;
  return boundAlert({
    id: alertId(ANOMALY_RULE_ID, dedupKey),
    rule: ANOMALY_RULE_ID,
    title: "Principal did something new",
    severity: i.rank.severity,
    account: i.account,
    region: regions.length === 1 ? regions[0]! : regions.length === 0 ? "unknown" : "multiple",
    principal: i.principal,
    principalType: i.principalType,
    eventSource: top.eventSource,
    eventName: top.eventName,
    eventTime: earliest,
    eventId: null,
    summary: `${shortPrincipal(i.principal)} did ${names.length} thing(s) it had not done in ${i.baselineDays} days: ${listed}`,
    context: {
      newActions: actions.map((x) => ({
        action: actionName(x.a.eventSource, x.a.eventName),
        eventSource: x.a.eventSource,
        eventName: x.a.eventName,
        kind: x.kind,
        firstSeen: x.a.firstSeen,
        lastSeen: x.a.lastSeen,
        calls: x.a.count,
        writes: x.a.writes,
        region: x.a.region,
        regions: x.a.regions,
      })),
      baseline: {
        principalFirstSeen: i.principalBaseline.firstSeen,
        principalAgeDays: ageDays(i.principalBaseline.firstSeen),
        knownActions: i.baselineSize,
        accountWatchedSince: i.accountBaseline.firstSeen,
        accountAgeDays: ageDays(i.accountBaseline.firstSeen),
        baselineDays: i.baselineDays,
      },
      window: i.window,
      severityScore: i.rank.score,
      severityReasons: i.rank.reasons,
      ...(i.trust ? { roleTrust: i.trust } : {}),
      ...(i.accountName ? { accountName: i.accountName } : {}),
      ...(i.unit ? { unit: i.unit } : {}),
    },
    remediation: null,
    ...guidanceOf(NEW_BEHAVIOR_KIND),
    occurrences: actions.reduce((n, x) => n + x.a.count, 0),
    lastEventTime: latest,
  });
}
