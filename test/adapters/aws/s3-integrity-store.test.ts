import { CloudTrailClient, ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { CloudTrailPublicKeys } from "../../../functions/adapters/aws/cloudtrail-public-keys";
import { S3IntegrityStore } from "../../../functions/adapters/aws/s3-integrity-store";
import { verifyIntegrity } from "../../../functions/core/integrity/verify";
import { parseS3Uri } from "../../../functions/core/sources/cloudtrail-prefixes";
import { orgTrailFiles, uploadFiles } from "../../support/cloudtrail-bucket";
import { digestChain, hourlyEnds, testSigningKey } from "../../support/cloudtrail-digests";
import { s3rverClientConfig, type LocalS3 } from "../../support/s3rver";
import { startS3rverProcess } from "../../support/s3rver-process";

const BUCKET = "integrity-bucket";
const ORG = "o-qrstuvwxyz";
const cloudTrail = mockClient(CloudTrailClient);

describe("S3IntegrityStore (s3rver) with keys from ListPublicKeys (mocked)", () => {
  let s3: LocalS3;
  let client: S3Client;
  const window = { from: new Date("2026-11-20T08:00:00Z"), to: new Date("2026-11-20T12:00:00Z") };
  const regionKeys = { "us-east-1": testSigningKey(), "ap-southeast-2": testSigningKey() };

  beforeAll(async () => {
    s3 = await startS3rverProcess({ buckets: [BUCKET], exactDelimiterListing: true });
    client = new S3Client(s3rverClientConfig(s3.endpoint));
    const files = orgTrailFiles({ organizationId: ORG, prefix: "ct/", accounts: ["444455556666"], regions: Object.keys(regionKeys), days: ["2026-11-20"], hours: [9, 10] });
    const digests = Object.entries(regionKeys).flatMap(([region, key]) =>
      digestChain({ bucket: BUCKET, organizationId: ORG, prefix: "ct/", account: "444455556666", region, ends: hourlyEnds("2026-11-20T08:01:31Z", 6), files, key }),
    );
    // One digest's metadata carries a signature that is not its own (the object was replaced by someone without the key).
    const victim = digests[2]!;
    await uploadFiles(client, BUCKET, [...files, ...digests.filter((d) => d !== victim)]);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: victim.key, Body: victim.body, Metadata: { signature: "ab".repeat(256), "signature-algorithm": "SHA256withRSA" } }));
  });
  afterAll(async () => {
    client.destroy();
    await s3.stop();
  });

  it("asks each digest's region for its keys, reads signatures from S3 metadata and checks every listed file", async () => {
    // Prepare: CloudTrail answers each region's client with that region's key only.
    const asked: string[] = [];
    cloudTrail.on(ListPublicKeysCommand).callsFake(async (_input, getClient) => {
      const region = (await getClient().config.region()) as keyof typeof regionKeys;
      asked.push(region);
      const k = regionKeys[region];
      return { PublicKeyList: k ? [{ Fingerprint: k.fingerprint, Value: k.publicDer }] : [] };
    });
    const keys = new CloudTrailPublicKeys((region) => new CloudTrailClient({ region }), window, () => new Date("2026-11-21T00:00:00Z"));
    // Act
    const report = await verifyIntegrity(new S3IntegrityStore(client, parseS3Uri(`s3://${BUCKET}/ct/`), window), keys, { window });
    // Assess
    expect(asked.sort()).toEqual(["ap-southeast-2", "us-east-1"]);
    expect(cloudTrail.commandCalls(ListPublicKeysCommand).map((c) => c.args[0].input)).toEqual([
      { StartTime: window.from, EndTime: new Date("2026-11-20T14:00:00Z") },
      { StartTime: window.from, EndTime: new Date("2026-11-20T14:00:00Z") },
    ]);
    const bad = report.digests.filter((d) => d.status !== "valid");
    expect(bad).toEqual([expect.objectContaining({ status: "invalid", reason: "its signature differs from the one the next digest recorded (previousDigestSignature)" })]);
    expect(report.digests).toHaveLength(12);
    // The 09:05 file of the region whose 10:01 digest is invalid is not covered; every other file is valid.
    expect(report.logs.map((l) => l.status).sort()).toEqual(["not-covered", "valid", "valid", "valid"]);
    expect(report.problems).toEqual([]);
  });
});
