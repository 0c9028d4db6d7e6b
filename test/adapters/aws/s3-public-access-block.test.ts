import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { s3Endpoint } from "../../../functions/adapters/aws/aws-endpoint";
import { S3HttpClient } from "../../../functions/adapters/aws/s3-http";
import { parsePublicAccessBlock, publicAccessBlockXml } from "../../../functions/adapters/aws/s3-public-access-block";
import { AwsHttpError, readBody, SignedHttpClient } from "../../../functions/adapters/aws/signed-http";
import { S3RVER_CREDENTIALS, s3rverClientConfig, s3rverHttpConfig, startFaultInjector, startS3rver, type FaultInjector, type LocalS3 } from "../../support/s3rver";
import { listenOnLoopback } from "../../support/loopback";

const OWNER = "111122223333";
const BUCKET = "customer-data";
const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };

describe("S3HttpClient Block Public Access against a local S3 that verifies signatures", () => {
  let s3: LocalS3;
  let proxy: FaultInjector;
  /** One attempt: a failure comes back as it is. */
  let client: S3HttpClient;
  /** Three attempts, as a deployed client retries. */
  let retrying: S3HttpClient;

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: [BUCKET, "other-bucket"] });
    proxy = await startFaultInjector(s3.endpoint, { verifySignatures: true, publicAccessBlock: true, bucketOwner: OWNER });
    client = new S3HttpClient(s3rverHttpConfig(proxy.endpoint));
    retrying = new S3HttpClient(s3rverHttpConfig(proxy.endpoint, { maxAttempts: 3 }));
  });
  beforeEach(() => proxy.publicAccessBlocks.clear());
  afterEach(() => {
    // Every request carried a valid SigV4 signature, its payload hash included.
    expect(proxy.badSignatures).toEqual([]);
  });
  afterAll(async () => {
    client?.destroy();
    retrying?.destroy();
    await proxy?.stop();
    await s3?.stop();
  });

  it("puts the four settings with the expected owner and reads them back", async () => {
    // Prepare
    const before = proxy.requests.length;

    // Act
    await client.putPublicAccessBlock({ Bucket: BUCKET, ExpectedBucketOwner: OWNER, PublicAccessBlockConfiguration: ALL_ON });
    const read = await client.getPublicAccessBlock({ Bucket: BUCKET, ExpectedBucketOwner: OWNER });

    // Assess
    expect(read).toEqual({ PublicAccessBlockConfiguration: ALL_ON });
    expect(proxy.publicAccessBlocks.get(BUCKET)).toEqual(ALL_ON);
    expect(proxy.requests.slice(before)).toEqual([`PUT /${BUCKET}/?publicAccessBlock=`, `GET /${BUCKET}/?publicAccessBlock=`]);
  });

  it("stores a setting a put leaves out as false, as S3 does, and reads every setting S3 answers", async () => {
    // Act
    await client.putPublicAccessBlock({ Bucket: BUCKET, PublicAccessBlockConfiguration: { BlockPublicAcls: true, RestrictPublicBuckets: false } });
    const read = await client.getPublicAccessBlock({ Bucket: BUCKET });

    // Assess
    expect(read.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
  });

  it("throws S3's errors as AwsHttpErrors: no configuration, no such bucket, another owner", async () => {
    // Prepare
    proxy.publicAccessBlocks.set("other-bucket", { ...ALL_ON, BlockPublicPolicy: false });

    // Act
    const none = await client.getPublicAccessBlock({ Bucket: BUCKET }).catch((e: unknown) => e);
    const noBucket = await client.getPublicAccessBlock({ Bucket: "no-such-bucket" }).catch((e: unknown) => e);
    const putNoBucket = await client.putPublicAccessBlock({ Bucket: "no-such-bucket", PublicAccessBlockConfiguration: ALL_ON }).catch((e: unknown) => e);
    const notOwner = await client.getPublicAccessBlock({ Bucket: "other-bucket", ExpectedBucketOwner: "444455556666" }).catch((e: unknown) => e);
    const putNotOwner = await client.putPublicAccessBlock({ Bucket: "other-bucket", ExpectedBucketOwner: "444455556666", PublicAccessBlockConfiguration: ALL_ON }).catch((e: unknown) => e);

    // Assess
    const described = [none, noBucket, putNoBucket, notOwner, putNotOwner].map((e) => (e instanceof AwsHttpError ? [e.name, e.$metadata.httpStatusCode] : e));
    expect(described).toEqual([
      ["NoSuchPublicAccessBlockConfiguration", 404],
      ["NoSuchBucket", 404],
      ["NoSuchBucket", 404],
      ["AccessDenied", 403],
      ["AccessDenied", 403],
    ]);
    expect(proxy.publicAccessBlocks.get("other-bucket")).toEqual({ ...ALL_ON, BlockPublicPolicy: false });
    expect(proxy.publicAccessBlocks.has("no-such-bucket")).toBe(false);
  });

  it("retries throttling (429) and 503 inside the call, and gives a single-attempt caller the error to handle", async () => {
    // Prepare: throttling first, as its backoff grows fastest.
    proxy.failNext(1, { status: 429, code: "TooManyRequests", method: "PUT" });
    proxy.failNext(1, { status: 503, code: "ServiceUnavailable", method: "PUT" });
    const before = proxy.requests.length;

    // Act
    await retrying.putPublicAccessBlock({ Bucket: BUCKET, PublicAccessBlockConfiguration: ALL_ON });
    const attempts = proxy.requests.length - before;
    proxy.failNext(1, { status: 503, code: "SlowDown", method: "GET" });
    const throttled = await client.getPublicAccessBlock({ Bucket: BUCKET }).catch((e: unknown) => e);

    // Assess
    expect(attempts).toBe(3);
    expect(proxy.publicAccessBlocks.get(BUCKET)).toEqual(ALL_ON);
    expect(throttled).toBeInstanceOf(AwsHttpError);
    expect(throttled).toMatchObject({ name: "SlowDown", $metadata: { httpStatusCode: 503, attempts: 1 } });
  });

  it("is read and written interchangeably with the SDK's S3 client (which checksums with CRC32)", async () => {
    // Prepare
    const sdk = new S3Client({ ...s3rverClientConfig(proxy.endpoint) });
    try {
      // Act
      await sdk.send(new PutPublicAccessBlockCommand({ Bucket: BUCKET, ExpectedBucketOwner: OWNER, PublicAccessBlockConfiguration: { ...ALL_ON, IgnorePublicAcls: false } }));
      const readBySdkWrite = await client.getPublicAccessBlock({ Bucket: BUCKET, ExpectedBucketOwner: OWNER });
      await client.putPublicAccessBlock({ Bucket: BUCKET, PublicAccessBlockConfiguration: { BlockPublicPolicy: true } });
      const sdkRead = await sdk.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }));

      // Assess
      expect(readBySdkWrite.PublicAccessBlockConfiguration).toEqual({ ...ALL_ON, IgnorePublicAcls: false });
      expect(sdkRead.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: false, IgnorePublicAcls: false, BlockPublicPolicy: true, RestrictPublicBuckets: false });
    } finally {
      sdk.destroy();
    }
  });

  it("the local S3 refuses a put without a checksum, with a wrong one, or with a body S3's schema rejects (so the client's checks are real)", async () => {
    // Prepare: raw signed PUTs, correct except for what each case breaks.
    const http = new SignedHttpClient({ region: "us-east-1", credentials: S3RVER_CREDENTIALS, service: "s3", uriEscapePath: false, maxAttempts: 1 });
    const good = Buffer.from(publicAccessBlockXml(ALL_ON));
    const put = (body: Buffer, headers: Record<string, string>) =>
      http
        .send({
          method: "PUT",
          endpoint: s3Endpoint(BUCKET, "us-east-1", { endpoint: proxy.endpoint, forcePathStyle: true }),
          path: "/",
          query: { publicAccessBlock: "" },
          headers: { "x-amz-content-sha256": createHash("sha256").update(body).digest("hex"), ...headers },
          body,
        })
        .then(async (r) => (await readBody(r.body), "stored"))
        .catch((e: unknown) => (e as Error).name);
    const md5 = (b: Buffer) => createHash("md5").update(b).digest("base64");
    const bad = Buffer.from(publicAccessBlockXml(ALL_ON).replace("<BlockPublicPolicy>true", "<BlockPublicPolicy>yes"));
    try {
      // Act
      const results = [
        await put(good, {}),
        await put(good, { "content-md5": md5(Buffer.from("other")) }),
        await put(good, { "content-md5": "not-md5" }),
        await put(bad, { "content-md5": md5(bad) }),
        await put(good, { "content-md5": md5(good) }),
      ];

      // Assess
      expect(results).toEqual(["InvalidRequest", "BadDigest", "InvalidDigest", "MalformedXML", "stored"]);
    } finally {
      http.destroy();
    }
  });
});

describe("PutPublicAccessBlock body", () => {
  /** A server that records what arrives and answers 200, as S3 does to a put. */
  async function capturing(): Promise<{ server: Server; endpoint: string; got: { headers: IncomingHttpHeaders; body: string }[] }> {
    const got: { headers: IncomingHttpHeaders; body: string }[] = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        got.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        res.writeHead(200, { "content-length": "0" }).end();
      });
    });
    return { server, endpoint: await listenOnLoopback(server), got };
  }

  it.each([
    ["all four on", ALL_ON],
    ["given out of order, some false", { RestrictPublicBuckets: false, BlockPublicPolicy: true, BlockPublicAcls: false, IgnorePublicAcls: true }],
    ["one setting only", { IgnorePublicAcls: true }],
  ])("is byte for byte what the SDK sends (%s), with a matching Content-MD5 and signed payload hash", async (_, cfg) => {
    // Prepare
    const { server, endpoint, got } = await capturing();
    const sdk = new S3Client(s3rverClientConfig(endpoint));
    const ours = new S3HttpClient(s3rverHttpConfig(endpoint));
    try {
      // Act
      await sdk.send(new PutPublicAccessBlockCommand({ Bucket: BUCKET, PublicAccessBlockConfiguration: cfg }));
      await ours.putPublicAccessBlock({ Bucket: BUCKET, PublicAccessBlockConfiguration: cfg });

      // Assess
      const [fromSdk, fromOurs] = got;
      expect(fromOurs!.body).toBe(fromSdk!.body);
      expect(fromOurs!.headers["content-type"]).toBe(fromSdk!.headers["content-type"]);
      expect(fromOurs!.headers["content-md5"]).toBe(createHash("md5").update(fromSdk!.body).digest("base64"));
      expect(fromOurs!.headers["x-amz-content-sha256"]).toBe(fromSdk!.headers["x-amz-content-sha256"]);
      expect(fromOurs!.headers.authorization).toMatch(/SignedHeaders=[^,]*content-md5;[^,]*x-amz-content-sha256/);
    } finally {
      sdk.destroy();
      ours.destroy();
      server.closeAllConnections();
      await new Promise((ok) => server.close(ok));
    }
  });
});

describe("GetPublicAccessBlock answer", () => {
  it("reads each setting S3 sent and leaves a missing one undefined", () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?>\n<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      "<BlockPublicAcls>true</BlockPublicAcls><BlockPublicPolicy>false</BlockPublicPolicy></PublicAccessBlockConfiguration>";

    expect(parsePublicAccessBlock(xml)).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: false });
  });

  it("refuses an answer that is not a configuration, or a setting that is not true or false, quoting it", () => {
    expect(() => parsePublicAccessBlock("<html>proxy error</html>")).toThrow(/without a PublicAccessBlockConfiguration: <html>proxy error/);
    expect(() => parsePublicAccessBlock("<PublicAccessBlockConfiguration><IgnorePublicAcls>yes</IgnorePublicAcls></PublicAccessBlockConfiguration>")).toThrow(/IgnorePublicAcls="yes"; expected true or false/);
  });
});
