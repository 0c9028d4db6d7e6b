import type { Alert } from "../alert/alert";
import type { ActivityQuery, AlertSink } from "../ports";
import { resolvePrincipalTypeIsService } from "./service-principals";
import type { ObservedActivity } from "./activity";
import { buildAnomalyAlert } from "./alert";
import { diffBaseline, type BaselineStore, type BaselineWriteStats } from "./baseline";
import { actionMatcher, patternMatcher, type AnomalySettings } from "./settings";
import { rankNewBehavior } from "./severity";
import type { RoleTrust, RoleTrustLookup } from "./trust";
import { checkWindow, type QueryWindow } from "./window";

/** A log file a query left out because the engine could not read it, and what the engine said. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** The activity port as the anomaly detection uses it: rows carry writes and regions. */
export interface AnomalyActivityQuery extends ActivityQuery {
  distinctActivity(q: { account: string; from: Date; to: Date; regions?: string[] }): Promise<ObservedActivity[]>;
  /** Damaged files the last query left out (engines that can tell); their records were not used. */
  readonly lastSkipped?: readonly SkippedFile[];
}

export interface DiscernmentInput {
  account: string;
  accountName?: string;
  unit?: string;
  window: QueryWindow;
}

export interface DiscernmentDeps {
  activity: AnomalyActivityQuery;
  baseline: BaselineStore;
  settings: AnomalySettings;
  /** Where alerts go; when absent they are only returned (replay prints them). */
  alerts?: AlertSink;
  /** Optional: trust policies of roles that would alert, for severity. */
  trust?: RoleTrustLookup;
}

/** Why principals were not alerted on, counted (goes to logs and metrics). */
export interface DiscernmentStats {
  rows: number;
  tuples: number;
  principals: number;
  newTuples: number;
  ignored: { servicePrincipals: number; principals: number; actions: number };
  suppressed: { accountWarmUp: number; principalWarmUp: number };
  writes: BaselineWriteStats;
}

export interface DiscernmentResult {
  alerts: Alert[];
  stats: DiscernmentStats;
}

const DAY = 86_400_000;

/**
 * One discernment run: what did every principal of `account` do in `window` that it has not done
 * in the last `baselineDays`? Queries the window's activity, compares it with the baseline, sends
 * one alert per principal with new actions (unless the account or the principal is still warming
 * up, or it is ignored), then records what was learned. Alerts go out before the baseline is
 * written: if sending fails the run fails and its retry finds the same actions new again (same
 * alert ids), instead of silently learning them.
 */
export async function discern(input: DiscernmentInput, deps: DiscernmentDeps): Promise<DiscernmentResult> {
  const problem = checkWindow(input.window);
  if (problem) throw new RangeError(problem);
  const s = deps.settings;
  const now = new Date(input.window.to);
  const rows = await deps.activity.distinctActivity({ account: input.account, from: new Date(input.window.from), to: now });

  const ignoredPrincipal = patternMatcher(s.ignorePrincipals);
  const ignoredAction = actionMatcher(s.ignoreActions);
  const ignored = { servicePrincipals: 0, principals: 0, actions: 0 };
  const kept: ObservedActivity[] = [];
  for (const r of rows) {
    if (!s.includeServicePrincipals && resolvePrincipalTypeIsService(r.principal, r.principalType)) ignored.servicePrincipals++;
    else if (ignoredPrincipal(r.principal)) ignored.principals++;
    else if (ignoredAction(r.eventSource, r.eventName)) ignored.actions++;
    else kept.push(r);
  }

  const principals = [...new Set(kept.map((r) => r.principal))];
  const snapshot = await deps.baseline.load(input.account, principals);
  const diff = diffBaseline(kept, snapshot, now, { baselineDays: s.baselineDays, refreshHours: s.refreshHours });

  const warmUp = s.warmUpDays * DAY;
  const accountReady = diff.accountBefore !== undefined && now.getTime() - Date.parse(diff.accountBefore.firstSeen) >= warmUp;
  const suppressed = { accountWarmUp: 0, principalWarmUp: 0 };
  const alerts: Alert[] = [];
  for (const p of diff.principals) {
    if (p.newActions.length === 0) continue;
    if (!accountReady) {
      suppressed.accountWarmUp++;
      continue;
    }
    if (!p.before || now.getTime() - Date.parse(p.before.firstSeen) < warmUp) {
      suppressed.principalWarmUp++;
      continue;
    }
    let trust: RoleTrust | undefined;
    if (deps.trust && /:role\//.test(p.principal)) trust = await deps.trust.trustOf(input.account, p.principal);
    const rank = rankNewBehavior({ principalType: p.principalType, newActions: p.newActions, trust });
    alerts.push(
      buildAnomalyAlert({
        account: input.account, accountName: input.accountName, unit: input.unit,
        principal: p.principal, principalType: p.principalType, newActions: p.newActions,
        principalBaseline: p.before, baselineSize: p.sizeBefore, accountBaseline: diff.accountBefore!,
        baselineDays: s.baselineDays, window: input.window, now, rank, trust,
      }),
    );
  }

  if (alerts.length > 0 && deps.alerts) await deps.alerts.send(alerts);
  const writes = await deps.baseline.apply(input.account, diff.writes, now);
  return {
    alerts,
    stats: {
      rows: rows.length,
      tuples: kept.length,
      principals: principals.length,
      newTuples: diff.principals.reduce((n, p) => n + p.newActions.length, 0),
      ignored,
      suppressed,
      writes,
    },
  };
}
