import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { accountFolder, dayFolderPrefix, type AccountFolder } from "../../core/aws/cloudtrail-keys";
import { classifyFolder, folderName, isRegionFolder, layoutPosition, type S3Location } from "../../core/sources/cloudtrail-prefixes";
import { orderedMap } from "../../core/sources/ordered-map";
import { awsErrorName } from "./aws-error";

/** A prefix that could not be listed, with why (access denied, throttled past the SDK's retries, ...). */
export interface ListingProblem {
  kind: "problem";
  /** `s3://bucket/prefix` */
  id: string;
  reason: string;
}

/** One listed object. */
export interface ListedObject {
  kind: "object";
  key: string;
  size: number;
}

/** One account and region of the layout: where its logs (and digests) are. */
export interface AccountRegion extends AccountFolder {
  region: string;
}

/** Which accounts and regions to read; unset means "every one found". */
export interface LayoutFilter {
  accounts?: readonly string[];
  regions?: readonly string[];
}

/** Guards against a listing that never ends (a bucket that keeps answering IsTruncated with a token). */
const MAX_PAGES_PER_PREFIX = 100_000;

/** Why a ListObjectsV2 failed, in words for the summary. */
export function listingReason(e: unknown): string {
  const name = awsErrorName(e);
  const status = (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  const what = name === "AccessDenied" || status === 403 ? "access denied" : name === "NoSuchBucket" ? "no such bucket" : "listing failed";
  return `${what} (${name}${status ? ` ${status}` : ""}): ${(e as Error).message ?? String(e)}`;
}

/**
 * Finds and lists the CloudTrail folders of a bucket with ListObjectsV2: accounts (and organization
 * folders) under `AWSLogs/` and regions under each account by delimiter listing, unless the user
 * named them, then the objects of each day folder of a window. A prefix that cannot be listed is
 * yielded as a {@link ListingProblem} and the others are still listed.
 */
export class S3LayoutLister {
  constructor(
    private readonly s3: S3Client,
    private readonly location: S3Location,
    private readonly opts: { listConcurrency?: number; pageSize?: number } = {},
  ) {}

  private uri(prefix: string): string {
    return `s3://${this.location.bucket}/${prefix}`;
  }

  /** Sub-folders of `prefix` (delimiter listing), or the problem. */
  private async folders(prefix: string): Promise<string[] | ListingProblem> {
    const out: string[] = [];
    let token: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES_PER_PREFIX; page++) {
        const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token, MaxKeys: this.opts.pageSize }));
        for (const p of r.CommonPrefixes ?? []) if (p.Prefix) out.push(folderName(p.Prefix));
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
        if (!token) return out;
      }
      return { kind: "problem", id: this.uri(prefix), reason: `more than ${MAX_PAGES_PER_PREFIX} pages of folders; not read` };
    } catch (e) {
      return { kind: "problem", id: this.uri(prefix), reason: listingReason(e) };
    }
  }

  /** Every object under `prefix` (no delimiter), or the problem (objects listed before it are kept). */
  async objectsUnder(prefix: string): Promise<(ListedObject | ListingProblem)[]> {
    const out: (ListedObject | ListingProblem)[] = [];
    let token: string | undefined;
    try {
      for (let page = 0; page < MAX_PAGES_PER_PREFIX; page++) {
        const r = await this.s3.send(new ListObjectsV2Command({ Bucket: this.location.bucket, Prefix: prefix, ContinuationToken: token, MaxKeys: this.opts.pageSize }));
        for (const o of r.Contents ?? []) if (o.Key && !o.Key.endsWith("/")) out.push({ kind: "object", key: o.Key, size: o.Size ?? 0 });
        token = r.IsTruncated ? r.NextContinuationToken : undefined;
        if (!token) return out;
      }
      out.push({ kind: "problem", id: this.uri(prefix), reason: `more than ${MAX_PAGES_PER_PREFIX} pages of objects; the rest were not read` });
    } catch (e) {
      out.push({ kind: "problem", id: this.uri(prefix), reason: listingReason(e) });
    }
    return out;
  }

  /**
   * The account folders of the layout the location points into, sorted, filtered by `accounts`.
   * An account named in the filter but not found is a problem (a typo must not pass quietly).
   */
  async *accounts(filter: LayoutFilter = {}): AsyncGenerator<AccountFolder | ListingProblem> {
    const pos = layoutPosition(this.location.prefix);
    const wanted = filter.accounts ? new Set(filter.accounts) : undefined;
    const found: AccountFolder[] = [];
    if (pos.account) {
      found.push({ root: pos.root, account: pos.account, ...(pos.organizationId ? { organizationId: pos.organizationId } : {}) });
    } else {
      const orgs: string[] = [];
      if (pos.organizationId) orgs.push(pos.organizationId);
      else {
        const top = await this.folders(pos.root);
        if (!Array.isArray(top)) {
          yield top;
          return;
        }
        for (const name of top.sort()) {
          const kind = classifyFolder(name);
          if (kind === "account") found.push({ root: pos.root, account: name });
          else if (kind === "organization") orgs.push(name);
        }
      }
      for (const org of orgs) {
        const members = await this.folders(`${pos.root}${org}/`);
        if (!Array.isArray(members)) {
          yield members;
          continue;
        }
        for (const name of members.sort()) if (classifyFolder(name) === "account") found.push({ root: pos.root, organizationId: org, account: name });
      }
    }
    const seen = new Set<string>();
    for (const a of found) {
      if (wanted && !wanted.has(a.account)) continue;
      seen.add(a.account);
      yield a;
    }
    for (const a of filter.accounts ?? []) {
      if (!seen.has(a)) yield { kind: "problem", id: this.uri(`${pos.root}${pos.organizationId ? `${pos.organizationId}/` : ""}${a}/`), reason: `account ${a} (--accounts) has no folder here` };
    }
  }

  /** The (account, region) pairs to read: regions as named (location or `regions`) or found by listing. */
  async *accountRegions(filter: LayoutFilter = {}, kind: "logs" | "digests" = "logs"): AsyncGenerator<AccountRegion | ListingProblem> {
    const pos = layoutPosition(this.location.prefix);
    for await (const a of this.accounts(filter)) {
      if ("kind" in a) {
        yield a;
        continue;
      }
      if (pos.region) {
        if (!filter.regions || filter.regions.includes(pos.region)) yield { ...a, region: pos.region };
        continue;
      }
      if (filter.regions) {
        for (const region of filter.regions) yield { ...a, region };
        continue;
      }
      const regions = await this.folders(accountFolder(a, kind));
      if (!Array.isArray(regions)) {
        yield regions;
        continue;
      }
      for (const region of regions.filter(isRegionFolder).sort()) yield { ...a, region };
    }
  }

  /**
   * Every object in the day folders `days` of every (account, region), in a stable order (account,
   * region, day, key). Up to `listConcurrency` (account, region) pairs are listed at once, their days
   * one after the other: when a day folder is denied, the pair's other days are not tried, and the
   * pair is reported once, with how many day folders went unread.
   */
  async *objects(filter: LayoutFilter, days: readonly string[], kind: "logs" | "digests" = "logs"): AsyncGenerator<ListedObject | ListingProblem> {
    const listDays = async (ar: AccountRegion | ListingProblem): Promise<(ListedObject | ListingProblem)[]> => {
      if ("kind" in ar) return [ar];
      const out: (ListedObject | ListingProblem)[] = [];
      const regionPrefix = `${accountFolder(ar, kind)}${ar.region}/`;
      for (let i = 0; i < days.length; i++) {
        const items = await this.objectsUnder(dayFolderPrefix(accountFolder(ar, kind), ar.region, days[i]!));
        const last = items[items.length - 1];
        if (last?.kind === "problem" && last.reason.startsWith("access denied")) {
          out.push(...items.slice(0, -1));
          const unread = days.length - i;
          out.push({ kind: "problem", id: this.uri(regionPrefix), reason: `${last.reason}; ${unread} day folder(s) of the window not read (${days[i]}${unread > 1 ? ` to ${days[days.length - 1]}` : ""})` });
          break;
        }
        out.push(...items);
      }
      return out;
    };
    // S3 lists keys in UTF-8 binary order, so each day folder comes back sorted.
    for await (const batch of orderedMap(this.accountRegions(filter, kind), listDays, { concurrency: this.opts.listConcurrency ?? 8 })) yield* batch;
  }
}
