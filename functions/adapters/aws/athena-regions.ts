import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { accountLogPrefix, REGION, type LogLayout } from "../../core/anomaly/layout";

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
  constructor(private readonly s3: S3Client, private readonly bucket: string, private readonly layout: LogLayout, private readonly keyPrefix = "") {}

  async regions(account: string): Promise<string[]> {
    const prefix = accountLogPrefix(this.layout, account, this.keyPrefix);
    const out: string[] = [];
    let token: string | undefined;
    do {
      const res = await this.s3.send(new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, Delimiter: "/", ContinuationToken: token }));
      for (const p of res.CommonPrefixes ?? []) {
        const name = (p.Prefix ?? "").slice(prefix.length).replace(/\/$/, "");
        if (REGION.test(name)) out.push(name);
      }
      token = res.IsTruncated ? res.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  }
}
