import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { CloudTrailClient, ListPublicKeysCommand } from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { CloudTrailPublicKeys } from "../../../functions/adapters/aws/cloudtrail-public-keys";
import { parseDigestName, signingString } from "../../../functions/core/integrity/digest";
import {
  allValid,
  verifyIntegrity,
  type IntegrityGroup,
  type IntegrityStore,
  type LogHash,
  type PublicKeySource,
  type StoredObject,
} from "../../../functions/core/integrity/verify";
import { orgTrailFiles, type TrailFile } from "../../support/cloudtrail-bucket";
import { digestChain, hourlyEnds, signDigest, testSigningKey, type DigestFile, type TestSigningKey } from "../../support/cloudtrail-digests";

const BUCKET = "trail-bucket";
const ACCOUNT = "111122223333";
const REGION = "eu-west-1";
const cloudTrail = mockClient(CloudTrailClient);

/** A bucket in memory: keys to gzipped bodies and metadata, listed as one group. */
class MemoryStore implements IntegrityStore {
  readonly objects = new Map<string, { body: Buffer; metadata?: Record<string, string> }>();
  constructor(files: readonly { key: string; body: Buffer; metadata?: Record<string, string> }[]) {
    for (const f of files) this.objects.set(f.key, { body: f.body, ...(f.metadata ? { metadata: f.metadata } : {}) });
  }
  async *groups(): AsyncIterable<IntegrityGroup> {
    yield { bucket: BUCKET, account: ACCOUNT, region: REGION, label: `${ACCOUNT}/${REGION}` };
  }
  private list(kind: string): StoredObject[] {
    return [...this.objects.keys()].filter((k) => k.includes(`/${kind}/`)).sort().map((key) => ({ id: this.idOf(BUCKET, key), bucket: BUCKET, key }));
  }
  async digests() {
    return this.list("CloudTrail-Digest");
  }
  async logFiles() {
    return this.list("CloudTrail");
  }
  async readDigest(o: StoredObject) {
    const got = this.objects.get(o.key);
    if (!got) return { status: "gone" as const, reason: "NoSuchKey" };
    return { status: "ok" as const, content: gunzipSync(got.body), signature: got.metadata?.signature, signatureAlgorithm: got.metadata?.["signature-algorithm"] };
  }
  async hashLog(bucket: string, key: string): Promise<LogHash> {
    const got = bucket === BUCKET ? this.objects.get(key) : undefined;
    if (!got) return { status: "gone", reason: "NoSuchKey" };
    return { status: "ok", sha256: createHash("sha256").update(gunzipSync(got.body)).digest("hex") };
  }
  idOf(bucket: string, key: string) {
    return `s3://${bucket}/${key}`;
  }
  locationMatches(readFrom: StoredObject, named: { bucket: string; key: string }) {
    return readFrom.bucket === named.bucket && readFrom.key === named.key;
  }
}

const keysOf = (...keys: TestSigningKey[]): PublicKeySource => ({
  keys: async () => keys.map((k) => ({ fingerprint: k.fingerprint, der: k.publicDer })),
});

describe("verifyIntegrity (digests signed in the test with its own key pair)", () => {
  let key: TestSigningKey;
  let files: TrailFile[];
  let digests: DigestFile[];
  const window = { from: new Date("2026-11-20T08:00:00Z"), to: new Date("2026-11-20T18:00:00Z") };

  beforeAll(() => {
    key = testSigningKey();
    // Files delivered at 09:05 and 15:05; digests every hour from 08:01:31 to 17:01:31 (empty ones included).
    files = orgTrailFiles({ accounts: [ACCOUNT], regions: [REGION], days: ["2026-11-20"] });
    digests = digestChain({ bucket: BUCKET, account: ACCOUNT, region: REGION, ends: hourlyEnds("2026-11-20T08:01:31Z", 10), files, key });
  });
  beforeEach(() => cloudTrail.reset());

  const store = (over: { files?: TrailFile[]; digests?: DigestFile[] } = {}) => new MemoryStore([...(over.files ?? files), ...(over.digests ?? digests)]);
  const byStatus = (r: { status: string; id: string }[]) => r.filter((x) => x.status !== "valid").map((x) => `${x.status} ${x.id.split("/").pop()}`);

  it("finds a whole chain and every log file it lists valid", async () => {
    const report = await verifyIntegrity(store(), keysOf(key), { window });
    expect(report.digests.map((d) => d.status)).toEqual(Array(10).fill("valid"));
    expect(report.logs.map((l) => l.status)).toEqual(["valid", "valid"]);
    expect(allValid(report)).toBe(true);
  });

  it("reports a modified log file, a deleted one, and a forged one no digest lists", async () => {
    // Prepare: the 09:05 file rewritten without its StopLogging, the 15:05 file deleted, a new file planted.
    const [first, second] = files;
    const rewritten = { ...first!, body: gzipSync(JSON.stringify({ Records: first!.records.slice(1) })) };
    const forged = { ...first!, key: first!.key.replace(/_[^_]+\.json\.gz$/, "_FORGED.json.gz") };
    // Act
    const report = await verifyIntegrity(store({ files: [rewritten, forged] }), keysOf(key), { window });
    // Assess
    expect(byStatus(report.digests)).toEqual([]);
    expect(byStatus(report.logs).sort()).toEqual([`deleted ${second!.key.split("/").pop()}`, `modified ${first!.key.split("/").pop()}`, `not-covered ${forged.key.split("/").pop()}`].sort());
    expect(report.logs.find((l) => l.status === "modified")!.reason).toBe("hash value does not match the digest (hashValue)");
    expect(allValid(report)).toBe(false);
  });

  it("reports a tampered digest (its log list edited to cover a forged file) as invalid, and the file as not covered", async () => {
    // Prepare: the attacker adds the forged file to the 10:01 digest and keeps the old signature.
    const forged = { ...files[0]!, key: files[0]!.key.replace(/_[^_]+\.json\.gz$/, "_FORGED.json.gz") };
    const i = digests.findIndex((d) => (d.json.logFiles as unknown[]).length > 0);
    const json = { ...digests[i]!.json, logFiles: [...(digests[i]!.json.logFiles as object[]), { s3Bucket: BUCKET, s3Object: forged.key, hashValue: createHash("sha256").update(gunzipSync(forged.body)).digest("hex"), hashAlgorithm: "SHA-256" }] };
    const tampered = { ...digests[i]!, body: gzipSync(JSON.stringify(json)) };
    // Act
    const report = await verifyIntegrity(store({ files: [...files, forged], digests: digests.map((d, j) => (j === i ? tampered : d)) }), keysOf(key), { window });
    // Assess
    const bad = report.digests.filter((d) => d.status !== "valid");
    expect(bad).toEqual([expect.objectContaining({ id: `s3://${BUCKET}/${tampered.key}`, status: "invalid", reason: "signature verification failed" })]);
    expect(report.logs.filter((l) => l.status !== "valid")).toEqual([
      expect.objectContaining({ id: `s3://${BUCKET}/${files[0]!.key}`, status: "not-covered", reason: expect.stringMatching(/listed only in .*, which is not valid/) }),
      expect.objectContaining({ id: `s3://${BUCKET}/${forged.key}`, status: "not-covered" }),
    ]);
  });

  it("reports a digest re-signed with another key as invalid (the next digest's recorded signature differs too)", async () => {
    // Prepare: a digest rebuilt and signed with the attacker's key, under the real key's fingerprint.
    const attacker = testSigningKey();
    const i = 3;
    const text = gunzipSync(digests[i]!.body).toString();
    const resigned = { ...digests[i]!, metadata: { signature: signDigest(text, digests[i]!.json as never, attacker), "signature-algorithm": "SHA256withRSA" } };
    // Act
    const report = await verifyIntegrity(store({ digests: digests.map((d, j) => (j === i ? resigned : d)) }), keysOf(key), { window });
    // Assess
    expect(report.digests.filter((d) => d.status !== "valid")).toEqual([
      expect.objectContaining({ id: `s3://${BUCKET}/${resigned.key}`, reason: "its signature differs from the one the next digest recorded (previousDigestSignature)" }),
    ]);
  });

  it("reports a deleted digest as missing: a gap in the chain", async () => {
    const gone = digests[5]!;
    const report = await verifyIntegrity(store({ digests: digests.filter((d) => d !== gone) }), keysOf(key), { window });
    expect(report.digests.filter((d) => d.status !== "valid")).toEqual([
      expect.objectContaining({ id: `s3://${BUCKET}/${gone.key}`, status: "missing", reason: expect.stringMatching(/named as the previous digest by .* but not found/) }),
    ]);
    expect(allValid(report)).toBe(false);
  });

  it("checks digests without stored signatures with the one their successor recorded, and says where the chain broke", async () => {
    // Prepare: only the newest digest keeps its signature (a local copy), and the 13:01 digest is gone.
    const bare = digests.map((d, i) => (i === digests.length - 1 ? d : { ...d, metadata: undefined as never }));
    const gone = bare[5]!;
    // Act
    const report = await verifyIntegrity(store({ digests: bare.filter((d) => d !== gone) }), keysOf(key), { window });
    // Assess: 14:01 to 17:01 are vouched for by the chain; 08:01 to 12:01 cannot be.
    expect(report.digests.filter((d) => d.status === "valid").map((d) => d.end)).toEqual(["2026-11-20T14:01:31Z", "2026-11-20T15:01:31Z", "2026-11-20T16:01:31Z", "2026-11-20T17:01:31Z"]);
    const older = report.digests.filter((d) => d.status === "invalid");
    expect(older).toHaveLength(5);
    for (const d of older) expect(d.reason).toMatch(new RegExp(`^no signature to check: the chain is broken after it \\(${gone.key.split("/").pop()!.replace(/\./g, "\\.")} is missing\\)`));
  });

  it("does not call the digest before the window missing", async () => {
    const report = await verifyIntegrity(store({ digests: digests.slice(3) }), keysOf(key), { window: { from: new Date("2026-11-20T11:00:00Z"), to: window.to } });
    expect(report.digests.every((d) => d.status === "valid")).toBe(true);
  });

  it("reports digests signed with a key that ListPublicKeys does not return, asking CloudTrail in the digests' region for the window", async () => {
    // Prepare: CloudTrail (mocked) knows only another key.
    const other = testSigningKey();
    cloudTrail.on(ListPublicKeysCommand).resolves({ PublicKeyList: [{ Fingerprint: other.fingerprint, Value: other.publicDer, ValidityStartTime: new Date("2026-11-01T00:00:00Z"), ValidityEndTime: new Date("2026-12-01T00:00:00Z") }] });
    const regions: string[] = [];
    const keys = new CloudTrailPublicKeys((region) => (regions.push(region), new CloudTrailClient({ region })), window, () => new Date("2026-11-23T00:00:00Z"));
    // Act
    const report = await verifyIntegrity(store(), keys, { window });
    // Assess
    expect(regions).toEqual([REGION]);
    expect(cloudTrail.commandCalls(ListPublicKeysCommand).map((c) => c.args[0].input)).toEqual([{ StartTime: window.from, EndTime: new Date("2026-11-20T20:00:00Z") }]);
    expect(new Set(report.digests.map((d) => d.reason))).toEqual(new Set([`public key not found in ${REGION} for fingerprint ${key.fingerprint}`]));
    // The files their digests list are not covered by any valid digest.
    expect(report.logs.map((l) => l.status)).toEqual(["not-covered", "not-covered"]);
  });

  it("accepts the right key from ListPublicKeys, and refuses it outside its validity", async () => {
    cloudTrail.on(ListPublicKeysCommand).resolves({ PublicKeyList: [{ Fingerprint: key.fingerprint, Value: key.publicDer, ValidityStartTime: new Date("2026-11-20T12:00:00Z"), ValidityEndTime: new Date("2026-12-20T00:00:00Z") }] });
    const report = await verifyIntegrity(store(), new CloudTrailPublicKeys((region) => new CloudTrailClient({ region }), window), { window });
    // Digests ending before 11:00 (the validity start less an hour of slack) are refused.
    expect(report.digests.filter((d) => d.status === "invalid").map((d) => d.end)).toEqual(["2026-11-20T08:01:31Z", "2026-11-20T09:01:31Z", "2026-11-20T10:01:31Z"]);
    expect(report.digests.filter((d) => d.status === "valid")).toHaveLength(7);
  });

  it("builds the documented data signing string", () => {
    const d = { digestEndTime: "2015-08-17T15:01:31Z", digestS3Bucket: "b", digestS3Object: "AWSLogs/1/CloudTrail-Digest/x.json.gz", previousDigestSignature: null };
    expect(signingString(d, "abc")).toBe("2015-08-17T15:01:31Z\nb/AWSLogs/1/CloudTrail-Digest/x.json.gz\nabc\nnull");
    expect(parseDigestName("p/AWSLogs/o-abcdefghij/111122223333/CloudTrail-Digest/us-east-2/2015/08/17/111122223333_CloudTrail-Digest_us-east-2_my_trail_us-east-1_20150817T150131Z.json.gz")).toEqual(
      expect.objectContaining({ account: "111122223333", region: "us-east-2", trail: "my_trail", homeRegion: "us-east-1", end: new Date("2015-08-17T15:01:31Z"), backfill: false }),
    );
  });
});
