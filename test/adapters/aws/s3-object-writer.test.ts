import { GetObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { S3ObjectWriter } from "../../../functions/adapters/aws/s3-object-writer";
import { startDenyProxy, type DenyProxy } from "../../support/s3-deny-proxy";
import { s3rverClientConfig, startS3rver, type LocalS3 } from "../../support/s3rver";

const BUCKET = "writer-bucket";

describe("writing one S3 object from many pieces", () => {
  let s3: LocalS3;
  let refuse: DenyProxy;
  const read = async (key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
    refuse = await startDenyProxy(s3.endpoint, "refused/", { status: 503, code: "SlowDown", message: "Please reduce your request rate." });
  });
  afterAll(async () => {
    await refuse.stop();
    await s3.stop();
  });

  it("sends a multipart upload once a part's worth is buffered, and the object reads back whole, in order", async () => {
    // Prepare
    const w = new S3ObjectWriter(s3.client, BUCKET, "big.jsonl", { contentType: "application/x-ndjson", partBytes: 64 * 1024 });
    const lines = Array.from({ length: 5000 }, (_, i) => `${JSON.stringify({ i, pad: "x".repeat(40) })}\n`);
    // Act
    for (const l of lines) await w.write(l);
    await w.close();
    // Assess
    expect(await read("big.jsonl")).toBe(lines.join(""));
    expect(w.bytes).toBe(Buffer.byteLength(lines.join("")));
    expect(w.bytes).toBeGreaterThan(3 * 64 * 1024);
  });

  it("writes a small object with one PutObject, an empty one too", async () => {
    // Act
    const w = new S3ObjectWriter(s3.client, BUCKET, "small.json", { contentType: "application/json" });
    await w.write("[");
    await w.write("]");
    await w.close();
    const empty = new S3ObjectWriter(s3.client, BUCKET, "empty.jsonl", { contentType: "application/x-ndjson" });
    await empty.close();
    // Assess
    expect(await read("small.json")).toBe("[]");
    expect(await read("empty.jsonl")).toBe("");
  });

  it("aborts the upload and throws TransientError when S3 throttles, leaving no object and no open upload", async () => {
    // Prepare
    const client = new S3Client({ ...s3rverClientConfig(refuse.endpoint), maxAttempts: 1 });
    const w = new S3ObjectWriter(client, BUCKET, "refused/manifest.json", { contentType: "application/json", partBytes: 1024 });
    // Act / Assess
    await expect(w.write("x".repeat(2048))).rejects.toMatchObject({ name: "TransientError", message: expect.stringContaining("writing s3://writer-bucket/refused/manifest.json") });
    const listed = await s3.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "refused/" }));
    expect(listed.KeyCount ?? 0).toBe(0);
    const uploads = await s3.client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET })).catch(() => ({ Uploads: [] }));
    expect((uploads.Uploads ?? []).filter((u) => u.Key?.startsWith("refused/"))).toEqual([]);
    client.destroy();
  });
});
