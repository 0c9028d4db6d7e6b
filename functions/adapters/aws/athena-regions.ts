import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { accountLogPrefix, type LogLayout } from "../../core/aws/cloudtrail-keys";
import { REGION } from "../../core/aws/identifiers";

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
    private readonly s3: Pick<S3Client, "send">,
    private readonly bucket: string,
    private readonly layout: LogLayout,
    private readonly keyPrefix = "",
    /** ListObjectsV2 page size (S3's default, 1,000, when unset); tests set it small to exercise paging. */
    private readonly pageSize?: number,
  ) {}

  async regions(account: string): Promise<string[]> {
    const prefix = accountLogPrefix(this.layout, account, this.keyPrefix);
    const out = new Set<string>();
    let token: string | undefined;
    do {
      // URL-encoded: a key may hold characters XML 1.0 cannot carry, which would fail the whole answer.
      const page = await this.s3.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          Delimiter: "/",
          EncodingType: "url",
          ...(this.pageSize ? { MaxKeys: this.pageSize } : {}),
          ...(token ? { ContinuationToken: token } : {}),
        }),
      );
      for (const cp of page.CommonPrefixes ?? []) {
        const p = page.EncodingType === "url" ? urlDecoded(cp.Prefix ?? "") : cp.Prefix;
        const name = p?.slice(prefix.length).replace(/\/$/, "") ?? "";
        if (p?.startsWith(prefix) && REGION.test(name)) out.add(name);
      }
      if (page.IsTruncated && !page.NextContinuationToken) throw new Error(`ListObjectsV2 of s3://${this.bucket}/${prefix} answered IsTruncated without a NextContinuationToken`);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return [...out].sort();
  }
}

/** A key S3 URL-encoded (`EncodingType=url`, a space written as `+`), or undefined when it is not valid percent-encoding. */
export function urlDecoded(s: string): string | undefined {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}
