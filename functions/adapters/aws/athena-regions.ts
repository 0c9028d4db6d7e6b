import { accountLogPrefix, REGION, type LogLayout } from "../../core/anomaly/layout";
import type { S3PrefixLister } from "./s3-http";

/** Says which regions hold an account's CloudTrail logs. */
export interface RegionLister {
  regions(account: string): Promise<string[]>;
}

/**
 * Finds the regions an account's trail has written to by listing the account's `CloudTrail/`
 * folder one level deep (ListObjectsV2 with a delimiter: one request per 1,000 regions, so one).
 * No region list is kept anywhere: a newly enabled region shows up in the next run, and Athena's
 * injected `region` partition reads exactly these.
 */
export class S3RegionLister implements RegionLister {
  constructor(
    private readonly s3: S3PrefixLister,
    private readonly bucket: string,
    private readonly layout: LogLayout,
    private readonly keyPrefix = "",
    /** ListObjectsV2 page size (S3's default, 1,000, when unset); tests set it small to exercise paging. */
    private readonly pageSize?: number,
  ) {}

  async regions(account: string): Promise<string[]> {
    const prefix = accountLogPrefix(this.layout, account, this.keyPrefix);
    const prefixes = await this.s3.listCommonPrefixes({ bucket: this.bucket, prefix, delimiter: "/", ...(this.pageSize ? { pageSize: this.pageSize } : {}) });
    const out = new Set<string>();
    for (const p of prefixes) {
      const name = p.slice(prefix.length).replace(/\/$/, "");
      if (p.startsWith(prefix) && REGION.test(name)) out.add(name);
    }
    return [...out].sort();
  }
}
