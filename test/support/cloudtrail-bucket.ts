import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";

/** One CloudTrail log file as CloudTrail delivers it: its key and its records. */
export interface TrailFile {
  key: string;
  account: string;
  region: string;
  /** Delivery time (the stamp in the name). */
  delivered: Date;
  records: Record<string, unknown>[];
  /** The gzipped body as stored. */
  body: Buffer;
}

function stamp(t: Date): string {
  const s = t.toISOString();
  return `${s.slice(0, 4)}${s.slice(5, 7)}${s.slice(8, 10)}T${s.slice(11, 13)}${s.slice(14, 16)}Z`;
}

/** A record of `name` by `account`'s user mallory at `time`; extra fields override. */
export function trailRecord(account: string, region: string, time: Date, name: string, source: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventVersion: "1.08", eventTime: time.toISOString().replace(/\.000Z$/, "Z"), eventSource: source, eventName: name, awsRegion: region,
    recipientAccountId: account, eventID: `${account}-${region}-${name}-${time.getTime()}`, sourceIPAddress: "198.51.100.7",
    userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${account}:user/mallory`, accountId: account, userName: "mallory" }, ...extra,
  };
}

/**
 * An organization trail's log files: for each account, region and day, one file per listed hour,
 * delivered 5 minutes past the hour with events 1 and 4 minutes before delivery: a `StopLogging` (a
 * critical alert, deduplicated per trail) and a `DescribeInstances` (no alert). With `prefix` the
 * trail has a key prefix before `AWSLogs/`.
 */
export function orgTrailFiles(opts: { organizationId?: string; accounts: string[]; regions: string[]; days: string[]; hours?: number[]; prefix?: string }): TrailFile[] {
  const files: TrailFile[] = [];
  const hours = opts.hours ?? [9, 15];
  for (const account of opts.accounts) {
    for (const region of opts.regions) {
      for (const day of opts.days) {
        for (const hour of hours) {
          const delivered = new Date(`${day}T${String(hour).padStart(2, "0")}:05:00Z`);
          const at = (min: number) => new Date(delivered.getTime() - min * 60_000);
          const records = [
            trailRecord(account, region, at(4), "StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: `trail-${region}-${day}-${hour}` } }),
            trailRecord(account, region, at(1), "DescribeInstances", "ec2.amazonaws.com"),
          ];
          const org = opts.organizationId ? `${opts.organizationId}/` : "";
          const key = `${opts.prefix ?? ""}AWSLogs/${org}${account}/CloudTrail/${region}/${day.replace(/-/g, "/")}/${account}_CloudTrail_${region}_${stamp(delivered)}_${account.slice(-4)}${hour}.json.gz`;
          files.push({ key, account, region, delivered, records, body: gzipSync(JSON.stringify({ Records: records })) });
        }
      }
    }
  }
  return files;
}

/** Puts the files into a bucket. */
export async function uploadFiles(s3: S3Client, bucket: string, files: readonly { key: string; body: Buffer; metadata?: Record<string, string> }[]): Promise<void> {
  for (const f of files) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: f.key, Body: f.body, ...(f.metadata ? { Metadata: f.metadata } : {}) }));
}

/** Writes the files under a local folder, keys as paths (a local copy of the bucket). */
export function writeLocalCopy(dir: string, files: readonly { key: string; body: Buffer }[]): void {
  for (const f of files) {
    const path = join(dir, ...f.key.split("/"));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.body);
  }
}
