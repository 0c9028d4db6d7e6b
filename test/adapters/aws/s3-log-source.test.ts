import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { parseNotification } from "../../../functions/adapters/aws/notifications";
import { S3LogSource, S3ReadError } from "../../../functions/adapters/aws/s3-log-source";
import { READ_LIMITS } from "../../../functions/core/record/limits";
import { s3rverClientConfig, startFaultInjector, startS3rver, type FaultInjector, type LocalS3 } from "../../support/s3rver";
import { attachAdmin, gzipLog, logKey, record, s3EventKey } from "../../handlers/log-analyzer/records";

const BUCKET = "org-trail-logs";

describe("S3LogSource against s3rver", () => {
  let s3: LocalS3;
  let proxy: FaultInjector;
  /** Through a proxy that can fail requests; one attempt. */
  let viaProxy: S3Client;
  /** The same, with the 4 attempts of the deployed functions' clients. */
  let retrying: S3Client;

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    proxy = await startFaultInjector(s3.endpoint, { echoVersionId: true });
    viaProxy = new S3Client(s3rverClientConfig(proxy.endpoint));
    retrying = new S3Client(s3rverClientConfig(proxy.endpoint, { maxAttempts: 4 }));
  });
  afterAll(async () => {
    retrying?.destroy();
    viaProxy?.destroy();
    await proxy?.stop();
    await s3?.stop();
  });

  async function put(key: string, body: Buffer): Promise<void> {
    await s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  it("reads a gzipped log object announced by a notification whose key has spaces, + and = (URL-encoded)", async () => {
    // Prepare
    const key = logKey("report 2026+final=v2");
    await put(key, gzipLog([record(), attachAdmin()]));
    const note = parseNotification(JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: BUCKET }, object: { key: s3EventKey(key) } } }] }));
    if (!note.ok) throw new Error(note.reason);

    // Act
    const source = new S3LogSource(s3.client, note.objects);
    const files = [];
    for await (const f of source.files()) files.push(f);
    const content = await source.read(files[0]!);

    // Assess
    expect(note.objects[0]!.key).toBe(key);
    expect(files).toEqual([{ id: `s3://${BUCKET}/${key}` }]);
    expect(content.records.map((r) => r.eventName)).toEqual(["GetObject", "AttachUserPolicy"]);
    expect(content.error).toBeUndefined();
  });

  it("opens an object with the ETag S3 returns (without quotes) before reading its body", async () => {
    const key = logKey("etag");
    await put(key, gzipLog([record()]));

    const res = await new S3LogSource(s3.client, []).open({ bucket: BUCKET, key });

    expect(res.status).toBe("open");
    if (res.status !== "open") return;
    expect(res.opened.etag).toMatch(/^[0-9a-f]{32}$/);
    expect((await res.opened.read()).records).toHaveLength(1);
  });

  it("yields digest files and non-log names with a skip reason instead of reading them", async () => {
    const source = new S3LogSource(s3.client, [
      { bucket: BUCKET, key: `AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/23/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261123T100500Z.json.gz` },
      { bucket: BUCKET, key: "AWSLogs/111122223333/CloudTrail/notes.txt" },
    ]);

    const files = [];
    for await (const f of source.files()) files.push(f);

    expect(files.map((f) => f.skip)).toEqual([expect.stringMatching(/digest/), expect.stringMatching(/not a log file name/)]);
  });

  it("reports an object that no longer exists as gone (a permanent skip, not an error)", async () => {
    const source = new S3LogSource(s3.client, [{ bucket: BUCKET, key: logKey("deleted") }]);

    const res = await source.open({ bucket: BUCKET, key: logKey("deleted") });
    const content = await source.read({ id: `s3://${BUCKET}/${logKey("deleted")}` });

    expect(res).toEqual({ status: "gone", reason: "object no longer exists (NoSuchKey); nothing to read" });
    expect(content.skipped).toMatch(/NoSuchKey/);
  });

  it("keeps the good records of a truncated gzip object and reports the damage", async () => {
    const full = gzipLog(Array.from({ length: 200 }, (_, i) => record({ requestParameters: { n: i, pad: "x".repeat(200) } })));
    const key = logKey("truncated");
    await put(key, full.subarray(0, Math.floor(full.length * 0.6)));

    const content = await new S3LogSource(s3.client, [{ bucket: BUCKET, key }]).read({ id: `s3://${BUCKET}/${key}` });

    expect(content.records.length).toBeGreaterThan(10);
    expect(content.records.length).toBeLessThan(200);
    expect(content.error).toMatch(/gzip data is truncated/);
  });

  it("downloads at most the file limit of a bigger object, decodes that part, and says so", async () => {
    const body = Buffer.from(JSON.stringify({ Records: Array.from({ length: 300 }, () => record({ requestParameters: { pad: "x".repeat(500) } })) }));
    const key = logKey("oversized").replace(/\.gz$/, "");
    await put(key, body);
    const limits = { ...READ_LIMITS, maxStoredBytes: 50_000 };

    const content = await new S3LogSource(s3.client, [{ bucket: BUCKET, key }], { limits }).read({ id: `s3://${BUCKET}/${key}` });

    expect(content.bytes).toBe(50_000);
    expect(content.records.length).toBeGreaterThan(10);
    expect(content.error).toMatch(/^object is \d+(\.\d)? KiB, more than the 48\.8 KiB limit for one file; read its first 48\.8 KiB; invalid JSON: the file ends inside a record/);
  });

  it("throws a transient S3ReadError when S3 throttles (503 SlowDown), and reads on the next try", async () => {
    const key = logKey("throttled");
    await put(key, gzipLog([record()]));
    const source = new S3LogSource(viaProxy, [{ bucket: BUCKET, key }]);
    proxy.failNext(1, { status: 503, code: "SlowDown", method: "GET" });

    const first = await source.open({ bucket: BUCKET, key }).catch((e: unknown) => e);
    const second = await source.open({ bucket: BUCKET, key });

    expect(first).toBeInstanceOf(S3ReadError);
    expect((first as S3ReadError).transient).toBe(true);
    expect((first as S3ReadError).message).toMatch(/GetObject s3:\/\/org-trail-logs\/.* failed: SlowDown/);
    expect(second.status).toBe("open");
  });

  it("throws a permanent S3ReadError on AccessDenied (a person must fix the permissions)", async () => {
    const key = logKey("denied");
    await put(key, gzipLog([record()]));
    proxy.failNext(1, { status: 403, code: "AccessDenied", method: "GET" });

    const err = await new S3LogSource(viaProxy, []).open({ bucket: BUCKET, key }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(S3ReadError);
    expect((err as S3ReadError).transient).toBe(false);
  });

  it("throws a transient S3ReadError when the connection drops in the middle of the body", async () => {
    const key = logKey("dropped");
    await put(key, gzipLog(Array.from({ length: 50 }, () => record({ requestParameters: { pad: "y".repeat(500) } }))));
    proxy.dropBodyNext(1, { method: "GET" });

    const res = await new S3LogSource(viaProxy, []).open({ bucket: BUCKET, key });
    const err = res.status === "open" ? await res.opened.read().catch((e: unknown) => e) : undefined;

    expect(err).toBeInstanceOf(S3ReadError);
    expect((err as S3ReadError).transient).toBe(true);
  });

  it("reads keys with spaces, +, =, unicode and reserved characters", async () => {
    // Prepare
    const keys = [logKey("a b+c=d"), logKey("Ünïcödé €uro 日本 😀"), logKey("odd!*'()~;:@&$,[]#%")];
    for (const key of keys) await put(key, gzipLog([record()]));

    // Act
    const contents = await Promise.all(keys.map((key) => new S3LogSource(viaProxy, [{ bucket: BUCKET, key }]).read({ id: `s3://${BUCKET}/${key}` })));

    // Assess
    expect(contents.map((c) => [c.records.length, c.error, c.skipped])).toEqual(keys.map(() => [1, undefined, undefined]));
    expect(proxy.requests.filter((r) => r.includes("%E6%97%A5%E6%9C%AC"))).toHaveLength(1);
  });

  it("asks for the announced version and reports the version S3 served", async () => {
    // Prepare
    const key = logKey("versioned");
    await put(key, gzipLog([record()]));
    const versionId = "3HL4kqtJlcpXroDTDmJ+rmSpXd3dIbrHY/MTRCxf3vjVBH40Nr8X8gdRQBpUMLUo=";

    // Act
    const res = await new S3LogSource(viaProxy, []).open({ bucket: BUCKET, key, versionId });

    // Assess
    expect(res.status).toBe("open");
    if (res.status !== "open") return;
    expect(res.opened.versionId).toBe(versionId);
    expect(res.opened.size).toBeGreaterThan(0);
    expect(proxy.requests.at(-1)).toMatch(/[?&]versionId=3HL4kqtJlcpXroDTDmJ%2BrmSpXd3dIbrHY%2FMTRCxf3vjVBH40Nr8X8gdRQBpUMLUo%3D(&|$)/);
    expect((await res.opened.read()).records).toHaveLength(1);
  });

  it("reports a missing object or bucket as gone, with S3's code", async () => {
    const res = await new S3LogSource(viaProxy, []).open({ bucket: BUCKET, key: logKey("never-written") });
    const noBucket = await new S3LogSource(viaProxy, []).open({ bucket: "no-such-bucket", key: logKey("x") });

    expect(res).toEqual({ status: "gone", reason: "object no longer exists (NoSuchKey); nothing to read" });
    expect(noBucket).toEqual({ status: "gone", reason: "object no longer exists (NoSuchBucket); nothing to read" });
  });

  it("retries throttling and server errors inside the call (503 SlowDown, then 500), and then reads", async () => {
    // Prepare
    const key = logKey("retried");
    await put(key, gzipLog([record(), attachAdmin()]));
    proxy.failNext(1, { status: 503, code: "SlowDown", method: "GET" });
    proxy.failNext(1, { status: 500, code: "InternalError", method: "GET" });
    const before = proxy.requests.length;

    // Act
    const content = await new S3LogSource(retrying, [{ bucket: BUCKET, key }]).read({ id: `s3://${BUCKET}/${key}` });

    // Assess
    expect(content.records.map((r) => r.eventName)).toEqual(["GetObject", "AttachUserPolicy"]);
    expect(proxy.requests.slice(before)).toHaveLength(3);
  });

  it("does not retry AccessDenied: one request, a permanent error with its status", async () => {
    // Prepare
    const key = logKey("denied-once");
    await put(key, gzipLog([record()]));
    proxy.failNext(1, { status: 403, code: "AccessDenied", method: "GET" });
    const before = proxy.requests.length;

    // Act
    const denied = await new S3LogSource(retrying, []).open({ bucket: BUCKET, key }).catch((e: unknown) => e);
    const deniedRequests = proxy.requests.length - before;

    // Assess
    expect(denied).toBeInstanceOf(S3ReadError);
    expect((denied as S3ReadError).transient).toBe(false);
    expect((denied as S3ReadError).message).toMatch(/failed: AccessDenied: injected AccessDenied$/);
    expect(((denied as S3ReadError).cause as { $metadata: unknown }).$metadata).toMatchObject({ httpStatusCode: 403, attempts: 1 });
    expect(deniedRequests).toBe(1);
  });
});
