import { ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { S3RegionLister, urlDecoded } from "../../../functions/adapters/aws/athena-regions";
import { s3rverClientConfig, startFaultInjector, type FaultInjector, type LocalS3 } from "../../support/s3rver";
import { startS3rverProcess } from "../../support/s3rver-process";

const BUCKET = "org-trail-logs";
const ACCT = "111122223333";
const layout = { type: "organization", organizationId: "o-abcdef1234" } as const;
const PREFIX = `ct/AWSLogs/o-abcdef1234/${ACCT}/CloudTrail/`;

describe("S3RegionLister against s3rver", () => {
  let s3: LocalS3;
  let proxy: FaultInjector;
  let client: S3Client;

  beforeAll(async () => {
    // In its own process: s3rver's continuation tokens need --openssl-legacy-provider on Node 20.
    s3 = await startS3rverProcess({ buckets: [BUCKET] });
    proxy = await startFaultInjector(s3.endpoint);
    client = new S3Client(s3rverClientConfig(proxy.endpoint));
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

  it("lists with S3's default page size in one request", async () => {
    const before = proxy.requests.length;

    const regions = await new S3RegionLister(client, BUCKET, layout, "ct/").regions(ACCT);

    expect(regions).toEqual(["ap-southeast-4", "eu-west-1", "il-central-1", "us-east-1"]);
    expect(proxy.requests.length - before).toBe(1);
  });

  it("finds no region for an account with no logs", async () => {
    expect(await new S3RegionLister(client, BUCKET, layout, "ct/").regions("999999999999")).toEqual([]);
  });
});

describe("S3RegionLister on S3's URL-encoded answers", () => {
  // s3rver ignores encoding-type=url; S3 honours it, so its answer is mocked here (on this client only).
  const client = new S3Client({ region: "us-east-1" });
  const s3 = mockClient(client);
  afterAll(() => s3.restore());

  it("decodes URL-encoded common prefixes (S3 writes a space as +), and skips one that is not valid encoding", async () => {
    // Prepare
    const enc = (p: string) => encodeURIComponent(p).replace(/%20/g, "+");
    s3.on(ListObjectsV2Command).resolves({
      EncodingType: "url",
      IsTruncated: false,
      CommonPrefixes: [{ Prefix: enc(`${PREFIX}eu-west-1/`) }, { Prefix: enc(`${PREFIX}not a+region&/`) }, { Prefix: `${enc(PREFIX)}%E0%A4/` }, { Prefix: enc(`${PREFIX}us-east-2/`) }],
    });

    // Act
    const regions = await new S3RegionLister(client, BUCKET, layout, "ct/").regions(ACCT);

    // Assess
    expect(regions).toEqual(["eu-west-1", "us-east-2"]);
    expect(s3.commandCalls(ListObjectsV2Command).map((c) => c.args[0].input)).toEqual([{ Bucket: BUCKET, Prefix: PREFIX, Delimiter: "/", EncodingType: "url" }]);
    expect(urlDecoded("ct%2Fnot+a%2Bregion%26%2F")).toBe("ct/not a+region&/");
  });

  it("refuses a truncated page without a continuation token rather than stop half-way", async () => {
    s3.reset();
    s3.on(ListObjectsV2Command).resolves({ IsTruncated: true, CommonPrefixes: [] });

    await expect(new S3RegionLister(client, BUCKET, layout, "ct/").regions(ACCT)).rejects.toThrow(/IsTruncated without a NextContinuationToken/);
  });
});
