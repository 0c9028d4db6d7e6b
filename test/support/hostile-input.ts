import * as zlib from "node:zlib";

/**
 * Builders for the hostile-input corpus (test/fixtures/hostile/input): CloudTrail records that
 * raise known alerts, a minimal zip writer (so an archive can repeat one compressed entry without
 * holding the inflated data), and the decompression bombs, which are generated at run time rather
 * than committed.
 */

export const ACCOUNT = "111122223333";

let seq = 0;

/** A CloudTrail record by an IAM user (override any field). Deterministic: ids come from a counter. */
export function rec(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: `arn:aws:iam::${ACCOUNT}:user/mallory`, accountId: ACCOUNT, userName: "mallory" },
    eventTime: `2026-11-20T10:${String(seq % 60).padStart(2, "0")}:00Z`,
    eventSource: "ec2.amazonaws.com",
    eventName: "DescribeInstances",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15",
    requestParameters: null,
    responseElements: null,
    requestID: `REQ${seq}`,
    eventID: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    readOnly: true,
    eventType: "AwsApiCall",
    recipientAccountId: ACCOUNT,
    ...over,
  };
}

/** StopLogging: raises `cloudtrail.logging-stopped` (critical). */
export function stopLogging(trail = "org-trail"): Record<string, unknown> {
  return rec({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", readOnly: false, requestParameters: { name: trail } });
}

/** AttachUserPolicy of AdministratorAccess: raises `iam.admin-policy-attached`. */
export function attachAdmin(user = "eve"): Record<string, unknown> {
  return rec({ eventSource: "iam.amazonaws.com", eventName: "AttachUserPolicy", readOnly: false, requestParameters: { userName: user, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } });
}

/** A harmless read. */
export function describe(n = 0): Record<string, unknown> {
  return rec({ requestParameters: { instancesSet: {}, filterSet: {}, n } });
}

/** The S3 delivery shape. */
export function document(records: unknown[]): string {
  return JSON.stringify({ Records: records });
}

/** A value nested `depth` levels deep: {"a":{"a":...}}. */
export function deepValue(depth: number): string {
  return '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

/** CRC-32 (zlib's). */
function crc32(data: Buffer): number {
  return (zlib as unknown as { crc32(d: Buffer): number }).crc32(data) >>> 0;
}

/** One zip entry: a name and its bytes, or already-deflated bytes with their inflated size and CRC. */
export type ZipInput = { name: string; data: Buffer } | { name: string; deflated: Buffer; size: number; crc: number };

/**
 * A zip archive (deflate for `data` entries, the given bytes for `deflated` ones), written by hand so
 * a bomb can repeat one small deflated entry many times.
 */
export function zip(entries: ZipInput[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, "utf8");
    const body = "data" in e ? zlib.deflateRawSync(e.data) : e.deflated;
    const size = "data" in e ? e.data.length : e.size;
    const crc = "data" in e ? crc32(e.data) : e.crc;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size >>> 0, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size >>> 0, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    central.push(cd, name);
    offset += 30 + name.length + body.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 8);
  end.writeUInt16LE(Math.min(entries.length, 0xffff), 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBytes, end]);
}

/** `n` MiB of spaces, deflated (about 1 KB per MiB): JSON whitespace, so a bomb can sit inside a valid document. */
export function deflatedSpaces(mib: number): { deflated: Buffer; size: number; crc: number } {
  const spaces = Buffer.alloc(mib * 2 ** 20, 0x20);
  return { deflated: zlib.deflateRawSync(spaces, { level: 9 }), size: spaces.length, crc: crc32(spaces) };
}

/**
 * A gzip bomb that is a valid CloudTrail document: `{"Records":[<StopLogging>,` then `gib` GiB of
 * spaces, then `<AttachUserPolicy>]}`, as concatenated gzip members (a valid gzip file). About 1 MB
 * per GiB on disk. Reading it whole would need `gib` GiB of memory.
 */
export function gzipBomb(gib: number): Buffer {
  const head = zlib.gzipSync(`{"Records":[${JSON.stringify(stopLogging("bomb-trail"))},`);
  const chunk = zlib.gzipSync(Buffer.alloc(64 * 2 ** 20, 0x20), { level: 9 });
  const tail = zlib.gzipSync(`${JSON.stringify(attachAdmin("after-the-bomb"))}]}`);
  return Buffer.concat([head, ...Array.from({ length: gib * 16 }, () => chunk), tail]);
}

/**
 * A zip bomb by total size: `entries` entries named `logs/N.json` (names trailwatch reads) of `mib`
 * MiB of spaces each, the first holding a StopLogging document before its spaces are reached.
 */
export function zipBomb(entries: number, mib: number): Buffer {
  const spaces = deflatedSpaces(mib);
  const first = Buffer.from(document([stopLogging("zip-bomb-trail")]));
  return zip([{ name: "logs/0.json", data: first }, ...Array.from({ length: entries }, (_, i) => ({ name: `logs/${i + 1}.json`, ...spaces }))]);
}
