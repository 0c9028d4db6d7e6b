import { PutObjectCommand } from "@aws-sdk/client-s3";
import { S3RegionLister } from "../../../functions/adapters/aws/athena-regions";
import { S3HttpClient } from "../../../functions/adapters/aws/s3-http";
import { s3rverHttpConfig, startFaultInjector, type FaultInjector, type LocalS3 } from "../../support/s3rver";
import { startS3rverProcess } from "../../support/s3rver-process";

const BUCKET = "org-trail-logs";
const ACCT = "111122223333";
const layout = { kind: "organization", organizationId: "o-abcdef1234" } as const;
const PREFIX = `ct/AWSLogs/o-abcdef1234/${ACCT}/CloudTrail/`;

describe("S3RegionLister against s3rver", () => {
  let s3: LocalS3;
  let proxy: FaultInjector;
  let client: S3HttpClient;

  beforeAll(async () => {
    // In its own process: s3rver's continuation tokens need --openssl-legacy-provider on Node 20.
    s3 = await startS3rverProcess({ buckets: [BUCKET] });
    proxy = await startFaultInjector(s3.endpoint, { verifySignatures: true });
    client = new S3HttpClient(s3rverHttpConfig(proxy.endpoint));
    // One level below each region folder: s3rver reports a common prefix only for objects directly
    // inside it (it does not walk deeper), unlike S3; the listing itself is the same.
    const keys = [
      ...["ap-southeast-4", "eu-west-1", "il-central-1", "us-east-1", "not a region"].map((r) => `${PREFIX}${r}/${ACCT}_CloudTrail_x.json.gz`),
      // Objects right below the prefix: s3rver counts only objects against max-keys, so these make pages.
      ...["0-marker", "f-marker", "k-marker", "t-marker"].map((n) => `${PREFIX}${n}`),
      `ct/AWSLogs/o-abcdef1234/444455556666/CloudTrail/sa-east-1/other.json.gz`,
    ];
    for (const Key of keys) await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: "x" }));
  });
  afterEach(() => expect(proxy.badSignatures).toEqual([]));
  afterAll(async () => {
    client?.destroy();
    await proxy?.stop();
    await s3?.stop();
  });

  it("reads the regions an account's trail wrote to, over several ListObjectsV2 pages, and nothing else", async () => {
    // Prepare
    const lister = new S3RegionLister(client, BUCKET, layout, "ct/", 1);
    const before = proxy.requests.length;

    // Act
    const regions = await lister.regions(ACCT);

    // Assess
    const lists = proxy.requests.slice(before);
    expect(regions).toEqual(["ap-southeast-4", "eu-west-1", "il-central-1", "us-east-1"]);
    expect(lists.length).toBeGreaterThan(1);
    expect(lists.every((r) => r.includes("list-type=2") && r.includes("delimiter=%2F") && r.includes("encoding-type=url"))).toBe(true);
    expect(lists.slice(1).every((r) => /continuation-token=[^&]+/.test(r))).toBe(true);
  });

  it("lists every common prefix with the default page size in one request, decoding them", async () => {
    const before = proxy.requests.length;

    const prefixes = await client.listCommonPrefixes({ bucket: BUCKET, prefix: PREFIX });

    expect(prefixes.sort()).toEqual(["ap-southeast-4/", "eu-west-1/", "il-central-1/", "not a region/", "us-east-1/"].map((r) => PREFIX + r));
    expect(proxy.requests.length - before).toBe(1);
  });

  it("finds no region for an account with no logs", async () => {
    expect(await new S3RegionLister(client, BUCKET, layout, "ct/").regions("999999999999")).toEqual([]);
  });
});
