import { CloudTrailClient, LookupEventsCommand, type LookupEventsCommandInput } from "@aws-sdk/client-cloudtrail";
import type { AwsClientStub } from "aws-sdk-client-mock";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { RemediationClients } from "../../../functions/adapters/aws/remediation";
import { S3HttpClient } from "../../../functions/adapters/aws/s3-http";
import type { S3PublicAccessBlocks } from "../../../functions/adapters/aws/s3-public-access-block";
import { RuleEngine, type Finding } from "../../../functions/core/rules/engine";
import { defineRule, type RemediationId } from "../../../functions/core/rules/rule";
import { ACCOUNT } from "../../handlers/log-analyzer/records";
import { s3rverHttpConfig, startFaultInjector, startS3rver, type FaultInjector, type LocalS3 } from "../../support/s3rver";

const creds = { accessKeyId: "TEST", secretAccessKey: "TEST" };

/**
 * The remediation clients for tests; records the regions asked for. CloudTrail, IAM and EC2 are real
 * SDK clients whose `send` aws-sdk-client-mock replaces; S3 is what `s3` makes (a client of a
 * {@link startRemediationS3} server), and asking for it without one fails the test with the reason.
 */
export function testClients(opts: { s3?: (region: string) => S3PublicAccessBlocks } = {}): RemediationClients & { regions: string[] } {
  const regions: string[] = [];
  return {
    regions,
    cloudTrail: (region) => (regions.push(`cloudtrail:${region}`), new CloudTrailClient({ region, credentials: creds })),
    iam: () => (regions.push("iam"), new IAMClient({ region: "us-east-1", credentials: creds })),
    s3: (region) => {
      regions.push(`s3:${region}`);
      if (!opts.s3) throw new Error("testClients() has no S3: pass { s3: local.clients() } of a startRemediationS3() server");
      return opts.s3(region);
    },
    ec2: (region) => (regions.push(`ec2:${region}`), new EC2Client({ region, credentials: creds })),
  };
}

/** Regions the S3 remediation tests send requests to (the local S3 accepts signatures of these). */
export const S3_TEST_REGIONS = ["us-east-1", "eu-central-1", "eu-west-1", "ap-southeast-2"] as const;

/** Local S3 for the Block Public Access remediation (see {@link startRemediationS3}). */
export interface RemediationS3 {
  s3: LocalS3;
  /** Checks every signature, owns every bucket as ACCOUNT, keeps Block Public Access settings in `proxy.publicAccessBlocks`, injects failures. */
  proxy: FaultInjector;
  /** One `S3HttpClient` per region signing in that region, with `maxAttempts` (default 1: a failure reaches the remediator as it is). */
  clients(maxAttempts?: number): (region: string) => S3HttpClient;
  stop(): Promise<void>;
}

/**
 * s3rver with `buckets`, behind a proxy that verifies every SigV4 signature (in the regions of
 * {@link S3_TEST_REGIONS}), answers Block Public Access from memory as S3 does, and refuses an
 * `ExpectedBucketOwner` other than {@link ACCOUNT} with 403 AccessDenied. Call `stop()` in `afterAll`.
 */
export async function startRemediationS3(buckets: string[]): Promise<RemediationS3> {
  const s3 = await startS3rver({ buckets });
  const proxy = await startFaultInjector(s3.endpoint, { verifySignatures: true, signingRegions: S3_TEST_REGIONS, publicAccessBlock: true, bucketOwner: ACCOUNT });
  const made = new Map<string, S3HttpClient>();
  return {
    s3,
    proxy,
    clients: (maxAttempts = 1) => (region) => {
      const key = `${maxAttempts}:${region}`;
      let c = made.get(key);
      if (!c) made.set(key, (c = new S3HttpClient({ ...s3rverHttpConfig(proxy.endpoint, { maxAttempts }), region })));
      return c;
    },
    async stop() {
      made.forEach((c) => c.destroy());
      await proxy.stop();
      await s3.stop();
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
