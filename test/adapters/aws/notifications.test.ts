import { decodeS3EventKey, parseNotification, skipReason } from "../../../functions/adapters/aws/notifications";

const LOG_DIR = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/23";

/** An S3 event notification as S3 writes it to SQS (keys URL-encoded, form style). */
function s3Event(records: { key: string; eventName?: string; eTag?: string; versionId?: string; size?: number }[]) {
  return JSON.stringify({
    Records: records.map((r) => ({
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: "us-east-1",
      eventTime: "2026-11-23T10:05:00.000Z",
      eventName: r.eventName ?? "ObjectCreated:Put",
      s3: {
        s3SchemaVersion: "1.0",
        configurationId: "trailwatch",
        bucket: { name: "org-trail-logs", arn: "arn:aws:s3:::org-trail-logs" },
        object: { key: r.key, size: r.size ?? 1234, eTag: r.eTag ?? "0123456789abcdef0123456789abcdef", ...(r.versionId ? { versionId: r.versionId } : {}), sequencer: "0062E99A88DC407460" },
      },
    })),
  });
}

function snsEnvelope(message: string, type = "Notification") {
  return JSON.stringify({
    Type: type,
    MessageId: "5f4b7b8e-0000-4000-8000-000000000001",
    TopicArn: "arn:aws:sns:us-east-1:111122223333:cloudtrail-delivery",
    Message: message,
    Timestamp: "2026-11-23T10:05:01.000Z",
    SignatureVersion: "1",
  });
}

describe("parseNotification", () => {
  it("decodes URL-encoded keys of an S3 event notification: + is a space, %2B a plus, %3D an equals sign", () => {
    // Prepare
    const body = s3Event([{ key: `${LOG_DIR}/my+log+file%2Bplus%3Dequals.json.gz`, eTag: "abc123", versionId: "v1", size: 99 }]);

    // Act
    const res = parseNotification(body);

    // Assess
    expect(res).toEqual({
      ok: true,
      kind: "s3",
      objects: [{ bucket: "org-trail-logs", key: `${LOG_DIR}/my log file+plus=equals.json.gz`, etag: "abc123", versionId: "v1", size: 99 }],
      ignored: [],
    });
  });

  it("keeps every record of a notification and ignores removals with a reason", () => {
    const body = s3Event([
      { key: `${LOG_DIR}/a.json.gz` },
      { key: `${LOG_DIR}/b.json.gz`, eventName: "ObjectRemoved:Delete" },
      { key: `${LOG_DIR}/c.json.gz`, eventName: "ObjectCreated:CompleteMultipartUpload" },
    ]);

    const res = parseNotification(body);

    expect(res.ok && res.objects.map((o) => o.key)).toEqual([`${LOG_DIR}/a.json.gz`, `${LOG_DIR}/c.json.gz`]);
    expect(res.ok && res.ignored).toEqual([`ObjectRemoved:Delete of s3://org-trail-logs/${LOG_DIR}/b.json.gz: only created objects are read`]);
  });

  it("ignores the s3:TestEvent S3 sends when a notification is configured", () => {
    const body = JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: "2026-11-23T10:00:00.000Z", Bucket: "org-trail-logs", RequestId: "R", HostId: "H" });

    const res = parseNotification(body);

    expect(res).toEqual({ ok: true, kind: "s3-test", objects: [], ignored: ["S3 test event for bucket org-trail-logs"] });
  });

  it("unwraps an SNS envelope of an S3 event notification", () => {
    const body = snsEnvelope(s3Event([{ key: `${LOG_DIR}/x+y.json.gz` }]));

    const res = parseNotification(body);

    expect(res.ok && res.kind).toBe("sns/s3");
    expect(res.ok && res.objects[0]!.key).toBe(`${LOG_DIR}/x y.json.gz`);
  });

  it("reads all keys of CloudTrail's own SNS delivery notification, as they are (CloudTrail does not URL-encode)", () => {
    const keys = [1, 2, 3].map((n) => `${LOG_DIR}/111122223333_CloudTrail_us-east-1_20261123T1005Z_key+${n}.json.gz`);
    const body = snsEnvelope(JSON.stringify({ s3Bucket: "org-trail-logs", s3ObjectKey: keys }));

    const res = parseNotification(body);

    expect(res).toEqual({ ok: true, kind: "sns/cloudtrail", objects: keys.map((key) => ({ bucket: "org-trail-logs", key })), ignored: [] });
  });

  it("reads an EventBridge Object Created event with its key as it is", () => {
    const body = JSON.stringify({
      version: "0", id: "17793124-05d4-b198-2fde-7ededc63b103", "detail-type": "Object Created", source: "aws.s3",
      account: "111122223333", time: "2026-11-23T10:05:00Z", region: "us-east-1", resources: ["arn:aws:s3:::org-trail-logs"],
      detail: { version: "0", bucket: { name: "org-trail-logs" }, object: { key: `${LOG_DIR}/a+b.json.gz`, size: 5, etag: "b1946ac92492d2347c6235b4d2611184", "version-id": "IYV3p45B", sequencer: "617f08299329d189" }, reason: "PutObject" },
    });

    const res = parseNotification(body);

    expect(res).toEqual({
      ok: true, kind: "eventbridge", ignored: [],
      objects: [{ bucket: "org-trail-logs", key: `${LOG_DIR}/a+b.json.gz`, etag: "b1946ac92492d2347c6235b4d2611184", versionId: "IYV3p45B", size: 5 }],
    });
  });

  it("ignores other EventBridge S3 events and SNS subscription confirmations", () => {
    const deleted = JSON.stringify({ source: "aws.s3", "detail-type": "Object Deleted", detail: { bucket: { name: "b" }, object: { key: "k" } } });
    const confirm = snsEnvelope("You have chosen to subscribe", "SubscriptionConfirmation");

    expect(parseNotification(deleted)).toMatchObject({ ok: true, objects: [], ignored: ['EventBridge "Object Deleted" for s3://b/k'] });
    expect(parseNotification(confirm)).toMatchObject({ ok: true, objects: [], ignored: [expect.stringContaining("SubscriptionConfirmation")] });
  });

  it.each([
    ["text that is not JSON", "hello", /body is not JSON/],
    ["a JSON array", "[1,2]", /JSON but not an object/],
    ["an unknown object", JSON.stringify({ foo: 1, bar: 2 }), /not an S3 event notification.*top-level keys: foo, bar/],
    ["a CloudTrail log instead of a notification", JSON.stringify({ Records: [{ eventName: "PutObject", eventSource: "s3.amazonaws.com" }] }), /Records\.0\.s3: /],
    ["an S3 record without an object key", JSON.stringify({ Records: [{ eventName: "ObjectCreated:Put", s3: { bucket: { name: "b" }, object: {} } }] }), /Records\.0\.s3\.object\.key/],
    ["a broken percent escape in a key", s3Event([{ key: "AWSLogs/%E0%A4%A.json.gz" }]), /not a valid URL-encoded key/],
    ["an SNS Message that is not JSON", snsEnvelope("not json"), /SNS Message is not JSON/],
    ["a CloudTrail notification without keys", snsEnvelope(JSON.stringify({ s3Bucket: "b", s3ObjectKey: [] })), /Message\.s3ObjectKey/],
  ])("rejects %s with a reason that says what was wrong", (_what, body, reason) => {
    const res = parseNotification(body);

    expect(res.ok).toBe(false);
    expect(!res.ok && res.reason).toMatch(reason);
  });
});

describe("decodeS3EventKey", () => {
  it("turns form-encoded keys back into real keys", () => {
    expect(decodeS3EventKey("a+b%2Bc%3Dd%2Fe%20f")).toBe("a b+c=d/e f");
  });
});

describe("skipReason", () => {
  it("skips digest files and names that are not logs, and reads log files", () => {
    expect(skipReason("AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/11/23/111122223333_CloudTrail-Digest_us-east-1_org_us-east-1_20261123T100500Z.json.gz")).toMatch(/digest/);
    expect(skipReason("AWSLogs/111122223333/CloudTrail/_SUCCESS")).toMatch(/not a log file name/);
    expect(skipReason(`${LOG_DIR}/111122223333_CloudTrail_us-east-1_20261123T1005Z_abc.json.gz`)).toBeUndefined();
  });
});
