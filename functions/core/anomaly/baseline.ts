import { actionKey, type ObservedActivity } from "./activity";

/**
 * The 90-day baseline: which actions each principal of an account has done, when first and last.
 *
 * Stored per (account + principal, action) with a TTL of `lastSeen + baselineDays`. An item whose
 * TTL has passed counts as absent even before the store deletes it (DynamoDB deletes expired items
 * lazily, up to days later). Writes are kept to what changes meaning: new actions, and TTL
 * refreshes at most once per `refreshHours` for actions seen again, instead of every action every hour.
 */
export interface BaselineItem {
  /** `eventSource:eventName`. */
  action: string;
  firstSeen: string;
  lastSeen: string;
  /** Epoch seconds after which the item no longer counts (the TTL attribute). */
  expiresAt: number;
}

/** What the store knows of one principal: when it was first seen, and its actions. */
export interface PrincipalBaseline {
  principal: string;
  firstSeen: string;
  lastSeen: string;
  expiresAt: number;
  items: Map<string, BaselineItem>;
}

/** When the account was first watched. */
export interface AccountBaseline {
  firstSeen: string;
  expiresAt: number;
}

export interface BaselineSnapshot {
  account?: AccountBaseline;
  principals: Map<string, PrincipalBaseline>;
}

/** One write. `create` must not overwrite a live item (a concurrent run may have created it); `refresh` may. */
export type BaselineWrite =
  | { target: "account"; kind: "create" | "refresh"; record: AccountBaseline }
  | { target: "principal"; kind: "create" | "refresh"; principal: string; record: Omit<PrincipalBaseline, "items" | "principal"> }
  | { target: "item"; kind: "create" | "refresh"; principal: string; item: BaselineItem };

export interface BaselineWriteStats {
  /** Requests sent to the store (a batch counts once). */
  requests: number;
  /** Items written. */
  written: number;
  /** `create`s skipped because another run had created the item first. */
  raced: number;
}

/** Port: the baseline store (DynamoDB in AWS, a local file for replay). */
export interface BaselineStore {
  /** The account record and the baselines of the given principals (absent ones are left out). */
  load(account: string, principals: readonly string[]): Promise<BaselineSnapshot>;
  /** Applies writes; `create`s are conditional, `refresh`es are batched. */
  apply(account: string, writes: readonly BaselineWrite[], now: Date): Promise<BaselineWriteStats>;
}

export interface DiffOptions {
  baselineDays: number;
  refreshHours: number;
}

/** What a window's activity means against the baseline, per principal. */
export interface PrincipalDiff {
  principal: string;
  principalType: string;
  activity: ObservedActivity[];
  /** Actions not in the live baseline. */
  newActions: ObservedActivity[];
  /** The principal's baseline before this run (undefined: never seen, or expired). */
  before?: PrincipalBaseline;
  /** Live actions in the baseline before this run. */
  sizeBefore: number;
}

export interface BaselineDiff {
  accountBefore?: AccountBaseline;
  principals: PrincipalDiff[];
  writes: BaselineWrite[];
}

const DAY_S = 86_400;

function epochSeconds(iso: string): number {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) throw new RangeError(`not an ISO time: ${iso}`);
  return Math.floor(t / 1000);
}

const maxIso = (a: string, b: string) => (a >= b ? a : b);
const minIso = (a: string, b: string) => (a <= b ? a : b);

/** True while a stored record still counts at `nowS` (epoch seconds). */
export function isLive(r: { expiresAt: number }, nowS: number): boolean {
  return r.expiresAt > nowS;
}

/**
 * Compares a window's activity with the baseline and plans the writes. Pure: the caller loads the
 * snapshot and applies the writes. `now` is the run's reference time (the window's end), so a
 * replay and a retried run behave exactly like the live run did.
 */
export function diffBaseline(activity: readonly ObservedActivity[], snapshot: BaselineSnapshot, now: Date, opts: DiffOptions): BaselineDiff {
  const nowS = Math.floor(now.getTime() / 1000);
  const ttl = opts.baselineDays * DAY_S;
  const refreshAfter = opts.refreshHours * 3600;
  const nowIso = now.toISOString();
  const writes: BaselineWrite[] = [];

  const accountBefore = snapshot.account && isLive(snapshot.account, nowS) ? snapshot.account : undefined;
  if (!accountBefore) writes.push({ target: "account", kind: "create", record: { firstSeen: nowIso, expiresAt: nowS + ttl } });
  else if (nowS + ttl - accountBefore.expiresAt >= refreshAfter) writes.push({ target: "account", kind: "refresh", record: { firstSeen: accountBefore.firstSeen, expiresAt: nowS + ttl } });

  const byPrincipal = new Map<string, ObservedActivity[]>();
  for (const a of activity) {
    const list = byPrincipal.get(a.principal) ?? [];
    list.push(a);
    byPrincipal.set(a.principal, list);
  }

  const principals: PrincipalDiff[] = [];
  for (const [principal, acts] of byPrincipal) {
    const stored = snapshot.principals.get(principal);
    const before = stored && isLive(stored, nowS) ? stored : undefined;
    let sizeBefore = 0;
    if (before) for (const it of before.items.values()) if (isLive(it, nowS)) sizeBefore++;
    const firstSeen = acts.reduce((m, a) => minIso(m, a.firstSeen), acts[0]!.firstSeen);
    const lastSeen = acts.reduce((m, a) => maxIso(m, a.lastSeen), acts[0]!.lastSeen);

    if (!before) {
      writes.push({ target: "principal", kind: "create", principal, record: { firstSeen, lastSeen, expiresAt: epochSeconds(lastSeen) + ttl } });
    } else {
      const last = maxIso(before.lastSeen, lastSeen);
      const expiresAt = epochSeconds(last) + ttl;
      if (expiresAt - before.expiresAt >= refreshAfter) writes.push({ target: "principal", kind: "refresh", principal, record: { firstSeen: before.firstSeen, lastSeen: last, expiresAt } });
    }

    const newActions: ObservedActivity[] = [];
    for (const a of acts) {
      const key = actionKey(a);
      const item = before?.items.get(key);
      if (!item || !isLive(item, nowS)) {
        newActions.push(a);
        writes.push({ target: "item", kind: "create", principal, item: { action: key, firstSeen: a.firstSeen, lastSeen: a.lastSeen, expiresAt: epochSeconds(a.lastSeen) + ttl } });
        continue;
      }
      const last = maxIso(item.lastSeen, a.lastSeen);
      const expiresAt = epochSeconds(last) + ttl;
      if (expiresAt - item.expiresAt >= refreshAfter) writes.push({ target: "item", kind: "refresh", principal, item: { action: key, firstSeen: item.firstSeen, lastSeen: last, expiresAt } });
    }
    principals.push({ principal, principalType: acts[0]!.principalType, activity: acts, newActions, before, sizeBefore });
  }
  return { accountBefore, principals, writes };
}
