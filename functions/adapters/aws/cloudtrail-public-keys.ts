import { ListPublicKeysCommand, type CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { PublicKeyInfo } from "../../core/integrity/digest";
import { DIGEST_LAG_MS, type PublicKeySource } from "../../core/integrity/verify";
import type { TimeWindow } from "../../core/sources/time-window";
import { derOf } from "../public-keys";

/**
 * The public keys CloudTrail used for a region's digests in a window, from `ListPublicKeys` called
 * in that region (each region signs with its own keys). The window is stretched by the digest lag at
 * its end (never past now): digests written up to two hours after the window list its files.
 */
export class CloudTrailPublicKeys implements PublicKeySource {
  constructor(
    private readonly clientFor: (region: string) => CloudTrailClient,
    private readonly window: TimeWindow,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async keys(region: string): Promise<PublicKeyInfo[]> {
    const client = this.clientFor(region);
    const end = new Date(Math.min(this.window.to.getTime() + DIGEST_LAG_MS, this.now().getTime()));
    const out: PublicKeyInfo[] = [];
    let token: string | undefined;
    for (let page = 0; page < 100; page++) {
      const r = await client.send(new ListPublicKeysCommand({ StartTime: this.window.from, EndTime: end, ...(token ? { NextToken: token } : {}) }));
      for (const k of r.PublicKeyList ?? []) {
        if (!k.Fingerprint || !k.Value) continue;
        out.push({ fingerprint: k.Fingerprint, der: derOf(k.Value), ...(k.ValidityStartTime ? { validFrom: k.ValidityStartTime } : {}), ...(k.ValidityEndTime ? { validTo: k.ValidityEndTime } : {}) });
      }
      token = r.NextToken;
      if (!token) break;
    }
    return out;
  }
}
