import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import {
  CreateBucketCommand,
  DeletePublicAccessBlockCommand,
  GetPublicAccessBlockCommand,
  PutPublicAccessBlockCommand,
  S3Client,
  type PublicAccessBlockConfiguration,
} from "@aws-sdk/client-s3";
import * as z from "zod";
import type { RemediationClients } from "../../../functions/adapters/aws/remediation";
import { RuleEngine, type Finding } from "../../../functions/core/rules/engine";
import { defineRule, type RemediationId } from "../../../functions/core/rules/rule";
import { clientSettings } from "../../../functions/handlers/shared/aws-clients";
import { ACCOUNT } from "../../handlers/log-analyzer/records";
import { startMoto, type LocalMoto } from "../../support/moto";
import { startFaultInjector, type FaultInjector } from "../../support/s3rver";

const creds = { accessKeyId: "TEST", secretAccessKey: "TEST" };

/**
 * The remediation clients for tests; records the regions asked for. Real SDK clients whose `send`
 * aws-sdk-client-mock replaces where a test mocks them; S3 is what `s3` makes when given (clients of
 * a {@link startRemediationS3} server).
 */
export function testClients(opts: { s3?: (region: string) => S3Client } = {}): RemediationClients & { regions: string[] } {
  const regions: string[] = [];
  return {
    regions,
    cloudTrail: (region) => (regions.push(`cloudtrail:${region}`), new CloudTrailClient({ region, credentials: creds })),
    iam: () => (regions.push("iam"), new IAMClient({ region: "us-east-1", credentials: creds })),
    s3: (region) => (regions.push(`s3:${region}`), opts.s3 ? opts.s3(region) : new S3Client({ region, credentials: creds })),
    ec2: (region) => (regions.push(`ec2:${region}`), new EC2Client({ region, credentials: creds })),
  };
}

/** The credentials the clients of a {@link startRemediationS3} server sign with (moto accepts any). */
export const MOTO_CREDENTIALS = { accessKeyId: "MOTOKEY", secretAccessKey: "moto-secret" };

/** Local S3 for the Block Public Access remediation (see {@link startRemediationS3}). */
export interface RemediationS3 {
  moto: LocalMoto;
  /** In front of moto: owns every bucket as ACCOUNT, records requests, injects failures. */
  proxy: FaultInjector;
  /** One S3 client per region through the proxy, with the functions' settings and `maxAttempts` (default 1: a failure reaches the remediator as it is). */
  clients(maxAttempts?: number): (region: string) => S3Client;
  /** A bucket's Block Public Access as S3 keeps it, or undefined when it has none (read from moto directly). */
  publicAccessBlock(bucket: string): Promise<PublicAccessBlockConfiguration | undefined>;
  /** Sets a bucket's Block Public Access (directly on moto). */
  setPublicAccessBlock(bucket: string, cfg: PublicAccessBlockConfiguration): Promise<void>;
  /** Removes the Block Public Access of every bucket it was started with. */
  clearPublicAccessBlocks(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * moto's S3 (it implements Block Public Access; s3rver answers NotImplemented) with `buckets`,
 * behind a proxy that refuses an `ExpectedBucketOwner` other than {@link ACCOUNT} with 403
 * AccessDenied, as S3 does (moto ignores the header). Call `stop()` in `afterAll`.
 */
export async function startRemediationS3(buckets: string[]): Promise<RemediationS3> {
  const moto = await startMoto();
  const proxy = await startFaultInjector(moto.endpoint, { bucketOwner: ACCOUNT });
  const direct = new S3Client({ region: "us-east-1", endpoint: moto.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS });
  try {
    for (const Bucket of buckets) await direct.send(new CreateBucketCommand({ Bucket }));
  } catch (e) {
    direct.destroy();
    await proxy.stop();
    await moto.stop();
    throw e;
  }
  const made = new Map<string, S3Client>();
  return {
    moto,
    proxy,
    clients: (maxAttempts = 1) => (region) => {
      const key = `${maxAttempts}:${region}`;
      let c = made.get(key);
      if (!c) made.set(key, (c = new S3Client({ ...clientSettings({ region, maxAttempts }), endpoint: proxy.endpoint, forcePathStyle: true, credentials: MOTO_CREDENTIALS })));
      return c;
    },
    async publicAccessBlock(Bucket) {
      try {
        return (await direct.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration;
      } catch (e) {
        if ((e as Error).name === "NoSuchPublicAccessBlockConfiguration") return undefined;
        throw e;
      }
    },
    async setPublicAccessBlock(Bucket, cfg) {
      await direct.send(new PutPublicAccessBlockCommand({ Bucket, PublicAccessBlockConfiguration: cfg }));
    },
    async clearPublicAccessBlocks() {
      for (const Bucket of buckets) await direct.send(new DeletePublicAccessBlockCommand({ Bucket }));
    },
    async stop() {
      made.forEach((c) => c.destroy());
      direct.destroy();
      await proxy.stop();
      await moto.stop();
    },
  };
}

/**
 * The finding the rule engine makes for `record` under a rule that matches it and carries
 * `remediation` (a test rule, so these tests do not depend on the catalog's matching logic).
 */
export function findingFor(record: Record<string, unknown>, remediation: RemediationId, settings?: { allowedPorts: number[] }): Finding {
  const rule = defineRule<{ allowedPorts: number[] }>({
    id: "test.remediable",
    title: "test",
    severity: "high",
    description: "matches everything of its source",
    eventSources: [String(record.eventSource)],
    eventNames: "*",
    includeFailedCalls: true,
    match: () => true,
    summary: () => "test finding",
    remediation,
    references: {},
    settings: { schema: z.object({ allowedPorts: z.array(z.number()) }), defaults: { allowedPorts: [] } },
  });
  const engine = new RuleEngine([rule], settings ? { settings: { "test.remediable": settings } } : {});
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  if (ev.kind !== "findings" || ev.findings.length !== 1) throw new Error(`no finding for ${String(record.eventName)}: ${JSON.stringify(ev)}`);
  return ev.findings[0]!;
}

/** An AWS SDK style service error. */
export function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
}

/** The source of a log object in the test account (the key's account segment is ACCOUNT). */
export function logSource(account = ACCOUNT, name = "genuine"): { bucket: string; key: string } {
  return { bucket: "org-trail-logs", key: `AWSLogs/${account}/CloudTrail/us-east-1/2026/11/23/${account}_CloudTrail_us-east-1_20261123T1005Z_${name}.json.gz` };
}

/** The tests' "now": the records of `records.ts` are dated 2026-11-23 10:00-10:59 UTC, so all are within the hour. */
export const TEST_NOW = new Date("2026-11-23T11:00:00Z");

type CloudTrailMock = AwsClientStub<CloudTrailClient>;

/**
 * CloudTrail's event history in tests: the events AWS "recorded", which the mocked LookupEvents
 * answers by event id exactly as CloudTrail does (`Events[].CloudTrailEvent` is the record's JSON).
 * The fake fails the test on any other kind of lookup than one by `EventId`.
 */
export class EventHistoryFixture {
  readonly events = new Map<string, Record<string, unknown>>();

  /** Records `records` as genuine (what AWS holds for their event ids); returns the first. */
  add(...records: Record<string, unknown>[]): Record<string, unknown> {
    for (const r of records) this.events.set(String(r.eventID), structuredClone(r));
    return records[0]!;
  }

  /** Installs the LookupEvents answer on `mock` (call after each `mock.reset()`). */
  answer(mock: CloudTrailMock): void {
    mock.on(LookupEventsCommand).callsFake((input: LookupEventsCommandInput) => {
      const attrs = input.LookupAttributes ?? [];
      if (attrs.length !== 1 || attrs[0]!.AttributeKey !== "EventId" || typeof attrs[0]!.AttributeValue !== "string") {
        throw new Error(`LookupEvents must look up one EventId; got ${JSON.stringify(input)}`);
      }
      const id = attrs[0]!.AttributeValue;
      const r = this.events.get(id);
      if (!r) return { Events: [] };
      return {
        Events: [
          {
            EventId: id,
            EventName: String(r.eventName),
            EventSource: String(r.eventSource),
            EventTime: new Date(String(r.eventTime)),
            ReadOnly: "false",
            CloudTrailEvent: JSON.stringify(r),
          },
        ],
      };
    });
  }
}

/** The LookupEvents calls a mock received: the event id each asked for. */
export function lookedUp(mock: CloudTrailMock): string[] {
  return mock.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.LookupAttributes?.[0]?.AttributeValue ?? "?");
}
