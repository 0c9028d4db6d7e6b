import * as z from "../../core/zod";
import { isDigestKey, isLogFileName } from "../log-content";

/** One S3 object a notification announces. `key` is the real object key (decoded where the notification encodes it). */
export interface ObjectRef {
  bucket: string;
  key: string;
  /** As S3 reports it, without quotes. */
  etag?: string;
  versionId?: string;
  size?: number;
}

/** What a queue message body announced. */
export type ParsedNotification =
  | {
      ok: true;
      /** Which shape it was, for logs: e.g. "s3", "sns/s3", "sns/cloudtrail", "eventbridge". */
      kind: string;
      objects: ObjectRef[];
      /** Parts deliberately not acted on (test events, deletions, confirmations), with the reason. */
      ignored: string[];
    }
  | { ok: false; reason: string };

const s3Record = z.looseObject({
  eventName: z.string(),
  s3: z.looseObject({
    bucket: z.looseObject({ name: z.string().check(z.minLength(1)) }),
    object: z.looseObject({
      key: z.string().check(z.minLength(1)),
      eTag: z.optional(z.string()),
      versionId: z.nullish(z.string()),
      size: z.optional(z.number()),
    }),
  }),
});
const s3Event = z.looseObject({ Records: z.array(z.unknown()).check(z.minLength(1)) });

const snsEnvelope = z.looseObject({
  Type: z.string(),
  Message: z.optional(z.string()),
  MessageId: z.optional(z.string()),
  TopicArn: z.optional(z.string()),
});

const cloudTrailDelivery = z.looseObject({
  s3Bucket: z.string().check(z.minLength(1)),
  s3ObjectKey: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
});

const eventBridgeS3 = z.looseObject({
  source: z.literal("aws.s3"),
  "detail-type": z.string(),
  detail: z.looseObject({
    bucket: z.looseObject({ name: z.string().check(z.minLength(1)) }),
    object: z.looseObject({
      key: z.string().check(z.minLength(1)),
      etag: z.optional(z.string()),
      "version-id": z.optional(z.string()),
      size: z.optional(z.number()),
    }),
  }),
});

function issue(e: z.core.$ZodError, prefix = ""): string {
  const i = e.issues[0];
  const path = i?.path.map(String).join(".");
  return `${prefix}${path ? `${path}: ` : ""}${i?.message ?? "invalid"}`;
}

/**
 * Decodes an object key from an S3 event notification, which URL-encodes keys form-style: a space
 * arrives as `+`, a real `+` as `%2B`, `=` as `%3D` (seed 002 used the key as it came and failed on
 * every such object).
 */
export function decodeS3EventKey(key: string): string {
  return decodeURIComponent(key.replace(/\+/g, "%20"));
}

function stripQuotes(etag: string | undefined): string | undefined {
  return etag?.replace(/^"+|"+$/g, "") || undefined;
}

function fromS3Event(doc: unknown, path: string): ParsedNotification {
  const records = (doc as { Records: unknown[] }).Records;
  const objects: ObjectRef[] = [];
  const ignored: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const rec = s3Record.safeParse(records[i]);
    if (!rec.success) return { ok: false, reason: issue(rec.error, `${path}Records.${i}.`) };
    const { eventName, s3 } = rec.data;
    let key: string;
    try {
      key = decodeS3EventKey(s3.object.key);
    } catch {
      return { ok: false, reason: `${path}Records.${i}.s3.object.key is not a valid URL-encoded key: ${JSON.stringify(s3.object.key)}` };
    }
    // The field has no "s3:" prefix in notifications ("ObjectCreated:Put"); accept it anyway.
    if (!/^(s3:)?ObjectCreated:/.test(eventName)) {
      ignored.push(`${eventName} of s3://${s3.bucket.name}/${key}: only created objects are read`);
      continue;
    }
    objects.push({
      bucket: s3.bucket.name,
      key,
      ...(s3.object.eTag ? { etag: stripQuotes(s3.object.eTag) } : {}),
      ...(s3.object.versionId ? { versionId: s3.object.versionId } : {}),
      ...(s3.object.size !== undefined ? { size: s3.object.size } : {}),
    });
  }
  return { ok: true, kind: "s3", objects, ignored };
}

function isS3TestEvent(doc: Record<string, unknown>): boolean {
  return doc.Event === "s3:TestEvent";
}

/** Parses a decoded JSON document that is not an SNS envelope. */
function parseInner(doc: unknown, path: string): ParsedNotification {
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) {
    return { ok: false, reason: `${path || "body"} is JSON but not an object` };
  }
  const o = doc as Record<string, unknown>;
  if (isS3TestEvent(o)) {
    return { ok: true, kind: "s3-test", objects: [], ignored: [`S3 test event for bucket ${String(o.Bucket ?? "(unknown)")}`] };
  }
  if ("Records" in o) {
    const ev = s3Event.safeParse(o);
    if (!ev.success) return { ok: false, reason: issue(ev.error, path) };
    return fromS3Event(ev.data, path);
  }
  if ("s3ObjectKey" in o || "s3Bucket" in o) {
    const ct = cloudTrailDelivery.safeParse(o);
    if (!ct.success) return { ok: false, reason: issue(ct.error, path) };
    // CloudTrail's own notification carries the keys as they are (not URL-encoded).
    return { ok: true, kind: "cloudtrail", objects: ct.data.s3ObjectKey.map((key) => ({ bucket: ct.data.s3Bucket, key })), ignored: [] };
  }
  if (o.source === "aws.s3" && "detail-type" in o) {
    const eb = eventBridgeS3.safeParse(o);
    if (!eb.success) {
      if (o["detail-type"] !== "Object Created") return { ok: true, kind: "eventbridge", objects: [], ignored: [`EventBridge "${String(o["detail-type"])}" event`] };
      return { ok: false, reason: issue(eb.error, path) };
    }
    const { detail } = eb.data;
    if (eb.data["detail-type"] !== "Object Created") {
      return { ok: true, kind: "eventbridge", objects: [], ignored: [`EventBridge "${eb.data["detail-type"]}" for s3://${detail.bucket.name}/${detail.object.key}`] };
    }
    // EventBridge gives the key as it is: decoding it would corrupt keys that hold "+" or "%".
    return {
      ok: true,
      kind: "eventbridge",
      objects: [{
        bucket: detail.bucket.name,
        key: detail.object.key,
        ...(detail.object.etag ? { etag: stripQuotes(detail.object.etag) } : {}),
        ...(detail.object["version-id"] ? { versionId: detail.object["version-id"] } : {}),
        ...(detail.object.size !== undefined ? { size: detail.object.size } : {}),
      }],
      ignored: [],
    };
  }
  const keys = Object.keys(o).slice(0, 8).join(", ");
  return {
    ok: false,
    reason: `${path ? `${path}: ` : ""}not an S3 event notification, SNS envelope, CloudTrail delivery notification or EventBridge S3 event (top-level keys: ${keys || "none"})`,
  };
}

/**
 * Reads an SQS message body that announces CloudTrail log objects: an S3 event notification
 * (`Records[].s3`, keys URL-decoded), the S3 test event (ignored), an SNS envelope (`Type:
 * Notification`) of either of those or of CloudTrail's own delivery notification
 * `{"s3Bucket": ..., "s3ObjectKey": [...]}`, or an EventBridge S3 "Object Created" event.
 * Pure: never throws; a body that is none of these gives `ok: false` with the reason (a permanent
 * failure: retrying will not make it readable).
 */
export function parseNotification(body: string): ParsedNotification {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    return { ok: false, reason: `body is not JSON (${(e as Error).message}; ${body.length} characters)` };
  }
  const env = snsEnvelope.safeParse(doc);
  if (env.success && ("Message" in env.data || "TopicArn" in env.data)) {
    const { Type, Message } = env.data;
    if (Type === "SubscriptionConfirmation" || Type === "UnsubscribeConfirmation") {
      return { ok: true, kind: "sns", objects: [], ignored: [`SNS ${Type} for ${env.data.TopicArn ?? "(unknown topic)"}`] };
    }
    if (Type !== "Notification") return { ok: false, reason: `SNS message of unknown Type "${Type}"` };
    if (Message === undefined || Message.trim() === "") return { ok: false, reason: "SNS notification without a Message" };
    let inner: unknown;
    try {
      inner = JSON.parse(Message);
    } catch (e) {
      return { ok: false, reason: `SNS Message is not JSON (${(e as Error).message})` };
    }
    const res = parseInner(inner, "Message.");
    return res.ok ? { ...res, kind: `sns/${res.kind}` } : res;
  }
  return parseInner(doc, "");
}

/**
 * Why an object is not read, or undefined when it is a log file: CloudTrail digest files hold
 * integrity hashes, not events, and other names (e.g. `_SUCCESS`, `.csv`) are not logs.
 */
export function skipReason(key: string): string | undefined {
  if (isDigestKey(key)) return "CloudTrail digest file (integrity data, no events)";
  const name = key.slice(key.lastIndexOf("/") + 1);
  if (!isLogFileName(name)) return "not a log file name (.json, .json.gz, .jsonl, .gz, .zip)";
  return undefined;
}
