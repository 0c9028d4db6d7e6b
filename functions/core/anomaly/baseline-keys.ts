import type { AccountBaseline, BaselineItem, BaselineSnapshot, BaselineWrite, PrincipalBaseline } from "./baseline";

/**
 * The baseline's key scheme, shared by every store (DynamoDB table, local file):
 * partition `pk` = `<account>#<principal>`, sort `sk` = `<eventSource>:<eventName>` for actions,
 * `#principal` for the principal's own record; the account record is `pk` = `<account>`,
 * `sk` = `#account`. One Query on `pk` returns a principal's record and all its actions.
 */
export const PRINCIPAL_SK = "#principal";
export const ACCOUNT_SK = "#account";

export function principalPk(account: string, principal: string): string {
  return `${account}#${principal}`;
}

/** A stored row, as both stores keep it. */
export interface BaselineRow {
  pk: string;
  sk: string;
  firstSeen: string;
  lastSeen?: string;
  expiresAt: number;
}

/** Builds a snapshot from the rows of one account's account record and principals. */
export function snapshotFromRows(account: string, rows: Iterable<BaselineRow>): BaselineSnapshot {
  let acct: AccountBaseline | undefined;
  const principals = new Map<string, PrincipalBaseline>();
  const items = new Map<string, Map<string, BaselineItem>>();
  const prefix = `${account}#`;
  for (const r of rows) {
    if (r.pk === account && r.sk === ACCOUNT_SK) {
      acct = { firstSeen: r.firstSeen, expiresAt: r.expiresAt };
      continue;
    }
    if (!r.pk.startsWith(prefix)) continue;
    const principal = r.pk.slice(prefix.length);
    if (r.sk === PRINCIPAL_SK) principals.set(principal, { principal, firstSeen: r.firstSeen, lastSeen: r.lastSeen ?? r.firstSeen, expiresAt: r.expiresAt, items: new Map() });
    else {
      const m = items.get(principal) ?? new Map<string, BaselineItem>();
      m.set(r.sk, { action: r.sk, firstSeen: r.firstSeen, lastSeen: r.lastSeen ?? r.firstSeen, expiresAt: r.expiresAt });
      items.set(principal, m);
    }
  }
  for (const [principal, m] of items) {
    const p = principals.get(principal);
    // Actions without a principal record (it expired first, or a run died between writes) still count.
    if (p) p.items = m;
    else {
      const first = [...m.values()].reduce((a, b) => (a.firstSeen <= b.firstSeen ? a : b));
      const last = [...m.values()].reduce((a, b) => (a.lastSeen >= b.lastSeen ? a : b));
      principals.set(principal, { principal, firstSeen: first.firstSeen, lastSeen: last.lastSeen, expiresAt: Math.max(...[...m.values()].map((i) => i.expiresAt)), items: m });
    }
  }
  return { account: acct, principals };
}

/** The row a write stores. */
export function rowOf(account: string, w: BaselineWrite): BaselineRow {
  if (w.target === "account") return { pk: account, sk: ACCOUNT_SK, firstSeen: w.record.firstSeen, expiresAt: w.record.expiresAt };
  if (w.target === "principal") return { pk: principalPk(account, w.principal), sk: PRINCIPAL_SK, firstSeen: w.record.firstSeen, lastSeen: w.record.lastSeen, expiresAt: w.record.expiresAt };
  return { pk: principalPk(account, w.principal), sk: w.item.action, firstSeen: w.item.firstSeen, lastSeen: w.item.lastSeen, expiresAt: w.item.expiresAt };
}
