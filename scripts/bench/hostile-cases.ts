/**
 * The inputs of the hostile-input benchmark: the largest file trailwatch reads whole and the attacks
 * on its limits, written once to `.bench/hostile/` (a few MB on disk; gigabytes once inflated).
 */
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, rename, stat } from "node:fs/promises";
import { join } from "node:path";
import { once } from "node:events";
import * as zlib from "node:zlib";
import { MAX_FILE_TEXT_BYTES } from "../../functions/core/record/limits";

const MiB = 2 ** 20;

export interface HostileCase {
  name: string;
  file: string;
  /** What it attacks, for the table. */
  what: string;
}

function record(i: number, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    userIdentity: {
      type: "AssumedRole", principalId: `AROAEXAMPLE:session-${i % 500}`, arn: `arn:aws:sts::210987654321:assumed-role/app-${i % 40}/session-${i % 500}`,
      accountId: "210987654321", accessKeyId: `ASIA${String(i).padStart(16, "0")}`,
      sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAEXAMPLE", arn: `arn:aws:iam::210987654321:role/app-${i % 40}`, accountId: "210987654321", userName: `app-${i % 40}` }, attributes: { creationDate: "2026-11-20T00:00:00Z", mfaAuthenticated: "false" } },
    },
    eventTime: `2026-11-20T${String(Math.floor(i / 3600) % 24).padStart(2, "0")}:${String(Math.floor(i / 60) % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}Z`,
    eventSource: "s3.amazonaws.com", eventName: "GetObject", awsRegion: "eu-west-1", sourceIPAddress: `10.20.${i % 250}.${(i * 7) % 250}`,
    userAgent: "aws-sdk-java/2.29.6 Linux/5.10.228-219.884.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc.",
    requestParameters: { bucketName: "corp-prod-app-config", Host: "corp-prod-app-config.s3.eu-west-1.amazonaws.com", key: `checkout/object-${i}.yaml` },
    responseElements: null,
    additionalEventData: { SignatureVersion: "SigV4", CipherSuite: "TLS_AES_128_GCM_SHA256", bytesTransferredIn: 0, AuthenticationMethod: "AuthHeader", bytesTransferredOut: 36317 },
    requestID: `REQ${i}`, eventID: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, readOnly: true,
    resources: [{ type: "AWS::S3::Object", ARN: `arn:aws:s3:::corp-prod-app-config/checkout/object-${i}.yaml` }, { accountId: "210987654321", type: "AWS::S3::Bucket", ARN: "arn:aws:s3:::corp-prod-app-config" }],
    eventType: "AwsApiCall", managementEvent: false, recipientAccountId: "210987654321", eventCategory: "Data",
    ...over,
  };
}

const stopLogging = (i: number) => record(i, { eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", readOnly: false, requestParameters: { name: "org-trail" }, resources: null });

/** Streams `parts` through gzip into `file` (written under a temporary name, then renamed). */
async function gzipTo(file: string, parts: Iterable<string | Buffer>, level = 6): Promise<void> {
  const tmp = `${file}.tmp`;
  const gz = zlib.createGzip({ level });
  const out = createWriteStream(tmp);
  gz.pipe(out);
  for (const p of parts) if (!gz.write(p)) await once(gz, "drain");
  gz.end();
  await once(out, "close");
  await rename(tmp, file);
}

function* legitimate(): Iterable<string> {
  // Records up to just under the file limit: the largest file trailwatch reads whole.
  const budget = MAX_FILE_TEXT_BYTES - 64 * 1024;
  let size = 12;
  yield '{"Records":[';
  for (let i = 0; ; i++) {
    const r = JSON.stringify(i === 50_000 ? stopLogging(i) : record(i));
    if (size + r.length + 3 > budget) break;
    size += r.length + 1;
    yield (i ? "," : "") + r;
  }
  yield "]}";
}

function* deep(levels: number): Iterable<string> {
  yield `{"Records":[${JSON.stringify(stopLogging(1))},`;
  yield JSON.stringify(record(2)).replace(/}$/, ',"nested":');
  const open = '{"a":'.repeat(MiB / 5);
  const close = "}".repeat(MiB / 5);
  for (let n = 0; n < levels; n += MiB / 5) yield open;
  yield "1";
  for (let n = 0; n < levels; n += MiB / 5) yield close;
  yield "}]}";
}

function* hugeRecord(mib: number): Iterable<string> {
  yield `{"Records":[${JSON.stringify(stopLogging(1))},`;
  yield JSON.stringify(record(2)).replace(/}$/, ',"blob":"');
  const chunk = "A".repeat(MiB);
  for (let i = 0; i < mib; i++) yield chunk;
  yield `"},${JSON.stringify(record(3))}]}`;
}

function* dense(mib: number): Iterable<string> {
  yield `[${JSON.stringify(stopLogging(1))}`;
  const chunk = ",{}".repeat(MiB / 3);
  for (let i = 0; i < mib; i++) yield chunk;
  yield "]";
}

function* gzipBomb(gib: number): Iterable<Buffer> {
  yield zlib.gzipSync(`{"Records":[${JSON.stringify(stopLogging(1))},`);
  const chunk = zlib.gzipSync(Buffer.alloc(64 * MiB, 0x20), { level: 9 });
  for (let i = 0; i < gib * 16; i++) yield chunk;
  yield zlib.gzipSync(`${JSON.stringify(record(2))}]}`);
}

/** A zip of `entries` entries of `mib` MiB of spaces each after one real document (written by hand: one deflated entry repeated). */
function zipBomb(entries: number, mib: number): Buffer {
  const crc32 = (b: Buffer) => (zlib as unknown as { crc32(d: Buffer): number }).crc32(b) >>> 0;
  const spaces = Buffer.alloc(mib * MiB, 0x20);
  const first = Buffer.from(JSON.stringify({ Records: [stopLogging(1)] }));
  const items = [
    { name: "logs/0.json", body: zlib.deflateRawSync(first), size: first.length, crc: crc32(first) },
    ...Array.from({ length: entries }, (_, i) => ({ name: `logs/${i + 1}.json`, body: zlib.deflateRawSync(spaces, { level: 9 }), size: spaces.length, crc: crc32(spaces) })),
  ];
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of items) {
    const name = Buffer.from(e.name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(e.crc, 14);
    local.writeUInt32LE(e.body.length, 18);
    local.writeUInt32LE(e.size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(e.crc, 16);
    cd.writeUInt32LE(e.body.length, 20);
    cd.writeUInt32LE(e.size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    parts.push(local, name, e.body);
    central.push(cd, name);
    offset += 30 + name.length + e.body.length;
  }
  const cdBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(cdBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...parts, cdBytes, end]);
}

/** Writes the cases that are missing and returns them all. */
export async function hostileCases(dir: string, log: (s: string) => void): Promise<HostileCase[]> {
  await mkdir(dir, { recursive: true });
  const cases: (HostileCase & { make(file: string): Promise<void> })[] = [
    { name: "largest legitimate file", file: "legitimate.json.gz", what: "just under the 128 MiB text limit of realistic records (read whole, fast path)", make: (f) => gzipTo(f, legitimate()) },
    { name: "gzip bomb", file: "gzip-bomb.json.gz", what: "2 GiB of JSON whitespace behind a StopLogging, as gzip", make: (f) => writeBuffers(f, gzipBomb(2)) },
    { name: "zip bomb", file: "zip-bomb.zip", what: "40 entries x 64 MiB (2.5 GiB) behind one real document", make: (f) => writeBuffers(f, [zipBomb(40, 64)]) },
    { name: "deep nesting", file: "deep.json.gz", what: "one record nested 20 million levels deep (120 MiB of text)", make: (f) => gzipTo(f, deep(20_000_000)) },
    { name: "one huge record", file: "huge-record.json.gz", what: "one 120 MiB record between two small ones", make: (f) => gzipTo(f, hugeRecord(120)) },
    { name: "dense objects", file: "dense.json.gz", what: "120 MiB of [{},{},...] (about 42 million objects)", make: (f) => gzipTo(f, dense(120)) },
  ];
  for (const c of cases) {
    const file = join(dir, c.file);
    if (!existsSync(file)) {
      log(`hostile bench: writing ${c.file} ...`);
      await c.make(file);
    }
    c.file = file;
  }
  return cases.map(({ name, file, what }) => ({ name, file, what }));
}

async function writeBuffers(file: string, parts: Iterable<Buffer>): Promise<void> {
  const tmp = `${file}.tmp`;
  const out = createWriteStream(tmp);
  for (const p of parts) if (!out.write(p)) await once(out, "drain");
  out.end();
  await once(out, "close");
  await rename(tmp, file);
}

/** Size of a case's file on disk. */
export async function storedBytes(file: string): Promise<number> {
  return (await stat(file)).size;
}
