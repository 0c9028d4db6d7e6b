import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { accountLogPrefix, dayFolder, fileStamp, type LogLayout } from "../../../functions/core/aws/cloudtrail-keys";

/**
 * A tiny CloudTrail log writer for tests: real file names and folders (both layouts), gzipped
 * `{"Records":[...]}` bodies, a chosen delivery time per file.
 */
export const ORG_ID = "o-abcdef1234";

export type Identity = Record<string, unknown>;

export const identities = {
  role: (account: string, role: string, session = "s1"): Identity => ({
    type: "AssumedRole",
    principalId: `AROAEXAMPLE${role.toUpperCase()}:${session}`,
    arn: `arn:aws:sts::${account}:assumed-role/${role}/${session}`,
    accountId: account,
    sessionContext: { sessionIssuer: { type: "Role", principalId: `AROAEXAMPLE${role.toUpperCase()}`, arn: `arn:aws:iam::${account}:role/${role}`, accountId: account, userName: role } },
  }),
  user: (account: string, user: string): Identity => ({ type: "IAMUser", principalId: `AIDA${user.toUpperCase()}`, arn: `arn:aws:iam::${account}:user/${user}`, accountId: account, userName: user }),
  root: (account: string): Identity => ({ type: "Root", principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account }),
  service: (svc: string): Identity => ({ type: "AWSService", invokedBy: svc }),
};

export interface EventSpec {
  time: string;
  source: string;
  name: string;
  identity: Identity | null;
  readOnly?: boolean;
  region?: string;
}

export function event(e: EventSpec): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    userIdentity: e.identity ?? undefined,
    eventTime: e.time,
    eventSource: e.source,
    eventName: e.name,
    awsRegion: e.region ?? "us-east-1",
    sourceIPAddress: "203.0.113.10",
    userAgent: "aws-cli/2",
    requestParameters: null,
    responseElements: null,
    requestID: "req",
    eventID: `${e.name}-${e.time}`,
    readOnly: e.readOnly ?? /^(Get|List|Describe)/.test(e.name),
    eventType: "AwsApiCall",
    recipientAccountId: "111122223333",
  };
}

let counter = 0;

/** Writes one log file delivered at `delivered` and returns its path. */
export function writeLogFile(root: string, layout: LogLayout, account: string, region: string, delivered: Date, records: unknown[]): string {
  const dir = join(root, accountLogPrefix(layout, account), region, dayFolder(delivered));
  mkdirSync(dir, { recursive: true });
  const unique = `U${(counter++).toString(36).padStart(15, "0")}`;
  const path = join(dir, `${account}_CloudTrail_${region}_${fileStamp(delivered)}_${unique}.json.gz`);
  writeFileSync(path, gzipSync(JSON.stringify({ Records: records })));
  return path;
}

/** Writes a file with arbitrary bytes under a real CloudTrail name (for "must not be opened" tests). */
export function writeRawLogFile(root: string, layout: LogLayout, account: string, region: string, delivered: Date, bytes: Buffer): string {
  const dir = join(root, accountLogPrefix(layout, account), region, dayFolder(delivered));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${account}_CloudTrail_${region}_${fileStamp(delivered)}_BAD${(counter++).toString(36).padStart(13, "0")}.json.gz`);
  writeFileSync(path, bytes);
  return path;
}

/** Delivers each event in its own file `delayMinutes` after the event. */
export function deliver(root: string, layout: LogLayout, account: string, events: EventSpec[], delayMinutes = 5): string[] {
  return events.map((e) => writeLogFile(root, layout, account, e.region ?? "us-east-1", new Date(Date.parse(e.time) + delayMinutes * 60_000), [event(e)]));
}
