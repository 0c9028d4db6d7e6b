import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { S3BucketLogSource } from "../../../functions/adapters/aws/s3-bucket-log-source";
import { LocalLogSource } from "../../../functions/adapters/local/log-source";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { scanLogs } from "../../../functions/core/scan";
import { parseS3Uri } from "../../../functions/core/sources/cloudtrail-prefixes";
import { windowedSource } from "../../../functions/core/sources/window-filter";
import { orgTrailFiles, uploadFiles, writeLocalCopy, type TrailFile } from "../../support/cloudtrail-bucket";
import { startDenyProxy, type DenyProxy } from "../../support/s3-deny-proxy";
import { s3rverClientConfig } from "../../support/s3rver";
import { startS3rverProcess } from "../../support/s3rver-process";
import type { LocalS3 } from "../../support/s3rver";

const BUCKET = "org-trail-logs";
const ORG = "o-abcdefghij";
const ACCOUNTS = ["111111111111", "222222222222", "333333333333"];
const DENIED = `AWSLogs/${ORG}/222222222222/CloudTrail/eu-west-1/`;

describe("S3BucketLogSource (s3rver, organization trail layout)", () => {
  let s3: LocalS3;
  let proxy: DenyProxy;
  let client: S3Client;
  let files: TrailFile[];
  let dir: string;

  beforeAll(async () => {
    // s3rver in its own process (--openssl-legacy-provider) so ListObjectsV2 continuation tokens work on Node 20.
    s3 = await startS3rverProcess({ buckets: [BUCKET], exactDelimiterListing: true });
    files = [
      ...orgTrailFiles({ organizationId: ORG, accounts: ACCOUNTS, regions: ["eu-west-1", "us-east-1"], days: ["2026-11-18", "2026-11-19", "2026-11-20"] }),
      // A single-account trail writing to the same bucket, beside the organization's folder.
      ...orgTrailFiles({ accounts: ["444444444444"], regions: ["us-east-1"], days: ["2026-11-19"] }),
    ];
    await uploadFiles(s3.client, BUCKET, files);
    dir = mkdtempSync(join(tmpdir(), "tw-s3src-"));
    writeLocalCopy(dir, files);
    // The proxy plays the IAM policy: one account's eu-west-1 folder is denied (s3rver cannot deny).
    proxy = await startDenyProxy(s3.endpoint, DENIED);
    client = new S3Client(s3rverClientConfig(proxy.endpoint));
  });
  afterAll(async () => {
    client.destroy();
    await proxy.stop();
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const window = { from: new Date("2026-11-19T00:00:00Z"), to: new Date("2026-11-20T00:00:00Z") };

  it("lists only the window's day folders, discovers accounts and regions, reports the denied prefix and scans the rest like a local scan", async () => {
    // Prepare
    const source = new S3BucketLogSource(client, { location: parseS3Uri(`s3://${BUCKET}/`), window }, { listPageSize: 1, concurrency: 3 });
    // Act
    const result = await scanLogs(windowedSource(source, window), new RuleEngine(catalog));
    // Assess: every readable file of the 19th was read, and nothing else.
    const expected = files.filter((f) => f.key.includes("/2026/11/19/") && !f.key.startsWith(DENIED));
    expect(result.stats.filesRead - result.fileErrors.length).toBe(expected.length);
    expect(result.alerts.map((a) => `${a.account} ${a.region}`).sort()).toEqual(expected.map((f) => `${f.account} ${f.region}`).sort());
    expect(result.fileErrors).toEqual([{ source: `s3://${BUCKET}/${DENIED}`, reason: expect.stringMatching(/^could not be listed: access denied \(AccessDenied 403\).*; 2 day folder\(s\) of the window not read \(2026\/11\/19 to 2026\/11\/20\)$/) }]);
    const gets = proxy.requests.filter((r) => r.startsWith("GET") && !r.includes("list-type"));
    expect(gets.every((r) => r.includes("/2026/11/19/"))).toBe(true);
    const listedDays = proxy.requests.filter((r) => /prefix=[^&]*%2F\d{4}%2F/.test(r)).map((r) => decodeURIComponent(/prefix=([^&]*)/.exec(r)![1]!));
    expect(listedDays.every((p) => p.includes("/2026/11/19/") || p.includes("/2026/11/20/"))).toBe(true);
    // The same files read from a local copy give the same alerts.
    const local = await scanLogs(new LocalLogSource(expected.map((f) => join(dir, ...f.key.split("/")))), new RuleEngine(catalog));
    expect(result.alerts.map((a) => a.id).sort()).toEqual(local.alerts.map((a) => a.id).sort());
  });

  it("reads only the accounts and regions asked for, and names an asked-for account that has no folder", async () => {
    // Prepare
    const source = new S3BucketLogSource(client, {
      location: parseS3Uri(`s3://${BUCKET}/AWSLogs/${ORG}`),
      window: { from: new Date("2026-11-20T09:00:00Z"), to: new Date("2026-11-20T10:00:00Z") },
      filter: { accounts: ["111111111111", "999999999999"], regions: ["us-east-1"] },
    });
    // Act
    const result = await scanLogs(source, new RuleEngine(catalog));
    // Assess: the 09:05 delivery of one account and region, and the unknown account named.
    expect(result.alerts.map((a) => `${a.account} ${a.region} ${a.eventTime}`)).toEqual(["111111111111 us-east-1 2026-11-20T09:01:00Z"]);
    expect(result.fileErrors).toEqual([{ source: `s3://${BUCKET}/AWSLogs/${ORG}/999999999999/`, reason: expect.stringContaining("account 999999999999 (--accounts) has no folder here") }]);
  });

  it("refuses a location below the region folder with advice", async () => {
    const source = new S3BucketLogSource(client, { location: parseS3Uri(`s3://${BUCKET}/AWSLogs/111111111111/CloudTrail/us-east-1/2026/`), window });
    await expect(scanLogs(source, new RuleEngine(catalog))).rejects.toThrow(/choose days with --from\/--to/);
  });
});
