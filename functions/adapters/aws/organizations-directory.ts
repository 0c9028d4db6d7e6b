import {
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListTagsForResourceCommand,
  type Account,
  type OrganizationsClient,
} from "@aws-sdk/client-organizations";
import type { AccountDirectory, OrgAccount } from "../../core/anomaly/muster";
import { isThrottlingAwsError } from "./aws-error";
import { withRetries } from "./retry";
import { mapLimit } from "../../core/concurrency";

export interface OrganizationsDirectoryOptions {
  /** Attempts per call while Organizations throttles (TooManyRequestsException), default 8. */
  maxAttempts?: number;
  /** Base of the exponential backoff with full jitter, ms (default 200). */
  backoffMs?: number;
  /** Calls in flight at once (tag lookups, sibling OUs), default 5: Organizations' rate limits are low. */
  concurrency?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Counts of calls made, by operation (for logs and the benchmark). */
export type CallCounts = Record<string, number>;

function toOrgAccount(a: Account): OrgAccount | undefined {
  if (!a.Id) return undefined;
  return { id: a.Id, name: a.Name ?? "", email: a.Email ?? "", state: String(a.State ?? a.Status ?? "UNKNOWN") };
}

/**
 * The Organization's accounts through the Organizations API (management or delegated
 * administrator account). Every list is paged to the end; every call is retried on throttling with
 * backoff and jitter a bounded number of times, then fails with the operation's name.
 */
export class OrganizationsDirectory implements AccountDirectory {
  readonly calls: CallCounts = {};

  constructor(private readonly org: OrganizationsClient, private readonly o: OrganizationsDirectoryOptions = {}) {}

  private async call<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const maxAttempts = this.o.maxAttempts ?? 8;
    try {
      return await withRetries(
        () => {
          this.calls[op] = (this.calls[op] ?? 0) + 1;
          return fn();
        },
        { maxAttempts, retryable: isThrottlingAwsError, baseMs: this.o.backoffMs ?? 200, maxMs: 30_000, sleep: this.o.sleep },
      );
    } catch (e) {
      if (!isThrottlingAwsError(e)) throw e;
      throw new Error(`Organizations kept throttling ${op} after ${maxAttempts} attempts: ${(e as Error).message}`, { cause: e });
    }
  }

  private async pages<T>(op: string, page: (token?: string) => Promise<{ items: T[]; next?: string }>): Promise<T[]> {
    const out: T[] = [];
    let token: string | undefined;
    do {
      const res = await this.call(op, () => page(token));
      out.push(...res.items);
      token = res.next;
    } while (token);
    return out;
  }

  async accountsUnder(parentIds: readonly string[]): Promise<OrgAccount[]> {
    const accounts: OrgAccount[] = [];
    const visited = new Set<string>();
    let level = [...new Set(parentIds)];
    while (level.length > 0) {
      level = level.filter((p) => !visited.has(p));
      level.forEach((p) => visited.add(p));
      const found = await mapLimit(level, this.o.concurrency ?? 5, async (parent) => {
        const accts = await this.pages("ListAccountsForParent", async (NextToken) => {
          const r = await this.org.send(new ListAccountsForParentCommand({ ParentId: parent, NextToken }));
          return { items: r.Accounts ?? [], next: r.NextToken };
        });
        const children = await this.pages("ListOrganizationalUnitsForParent", async (NextToken) => {
          const r = await this.org.send(new ListOrganizationalUnitsForParentCommand({ ParentId: parent, NextToken }));
          return { items: (r.OrganizationalUnits ?? []).map((ou) => ou.Id!).filter(Boolean), next: r.NextToken };
        });
        return { accts, children };
      });
      for (const f of found) for (const a of f.accts) {
        const o = toOrgAccount(a);
        if (o) accounts.push(o);
      }
      level = found.flatMap((f) => f.children);
    }
    return accounts;
  }

  async accountsTagged(key: string, values: readonly string[]): Promise<OrgAccount[]> {
    const all = await this.pages("ListAccounts", async (NextToken) => {
      const r = await this.org.send(new ListAccountsCommand({ NextToken }));
      return { items: r.Accounts ?? [], next: r.NextToken };
    });
    const wanted = new Set(values);
    // Only accounts that could be fanned out to are worth a tag lookup.
    const candidates = all.map(toOrgAccount).filter((a): a is OrgAccount => !!a && a.state === "ACTIVE");
    const tagged = await mapLimit(candidates, this.o.concurrency ?? 5, async (a) => {
      const tags = await this.pages("ListTagsForResource", async (NextToken) => {
        const r = await this.org.send(new ListTagsForResourceCommand({ ResourceId: a.id, NextToken }));
        return { items: r.Tags ?? [], next: r.NextToken };
      });
      return tags.some((t) => t.Key === key && wanted.has(t.Value ?? "")) ? a : undefined;
    });
    return tagged.filter((a): a is OrgAccount => !!a);
  }
}
