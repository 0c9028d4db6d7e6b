/**
 * The retro-hunt state machine executed locally: aws-local-stepfunctions runs the definition with the
 * real plan, scan and summarize handlers against s3rver (an organization trail's bucket and the
 * results bucket); the Distributed Map's ItemReader, ItemBatcher, ResultWriter and tolerated failure
 * share, which the local executor lacks, run through test/support/distributed-map.ts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { Logger } from "@aws-lambda-powertools/logger";
import { StateMachine } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import type { Alert } from "../../../functions/core/alert/alert";
import type { HuntSummary } from "../../../functions/core/hunt/summary";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { scanLogs } from "../../../functions/core/scan";
import { windowedSource } from "../../../functions/core/sources/window-filter";
import { LocalLogSource } from "../../../functions/adapters/local/log-source";
import { retroHuntDefinition, STATE, type RetroHuntDefinitionProps } from "../../../modules/retro-hunt/definition";
import { createPlanHandler } from "../../../functions/handlers/retro-hunt/plan";
import { createScanHandler } from "../../../functions/handlers/retro-hunt/scan";
import { createSummarizeHandler } from "../../../functions/handlers/retro-hunt/summarize";
import { orgTrailFiles, uploadFiles, writeLocalCopy, type TrailFile } from "../../support/cloudtrail-bucket";
import { emulateDistributedMaps, type MapRunRecord } from "../../support/distributed-map";
import type { LocalS3 } from "../../support/s3rver";
import { s3rverClientConfig } from "../../support/s3rver";
import { startS3rverProcess } from "../../support/s3rver-process";
import { asLambda, collectEvents } from "../scoring/local-sfn";

const TRAIL = "org-trail-logs";
const RESULTS = "tw-retro-hunt-123456789012-eu-west-1";
const ORG = "o-huntabcdef";
const A = "111111111111";
const B = "222222222222";
const STATE_MACHINE = "arn:aws:states:eu-west-1:123456789012:stateMachine:tw-retro-hunt";
const TOPIC = "arn:aws:sns:eu-west-1:123456789012:tw-alerts";
const ROOT = `AWSLogs/${ORG}/`;
const BROKEN = `${ROOT}${A}/CloudTrail/us-east-1/2026/11/20/${A}_CloudTrail_us-east-1_20261120T1205Z_broken.json.gz`;

const ENV = { TRAIL_BUCKET: TRAIL, RESULTS_BUCKET: RESULTS, ORGANIZATION_ID: ORG, AWS_REGION: "eu-west-1" };
const PROPS: RetroHuntDefinitionProps = {
  planFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-plan",
  scanFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-scan",
  summarizeFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-summarize",
  resultsBucket: RESULTS,
  maxConcurrency: 2,
  itemsPerBatch: 3,
  toleratedFailurePercentage: 30,
};

describe("the retro-hunt state machine, executed with the real handlers over S3", () => {
  let s3: LocalS3;
  let files: TrailFile[];
  let dir: string;
  const sns = new SNSClient({ region: "eu-west-1" });
  const snsMock = mockClient(sns);
  const logger = new Logger({ logLevel: "SILENT" });

  /** The handlers bound to their states as Lambda runs them; `scanFault` may fail a batch first. */
  function handlers(opts: { env?: Record<string, string>; scanFault?: (event: { items: { key: string }[] }) => void } = {}) {
    const client = s3.makeClient();
    const env = { ...ENV, ...opts.env };
    const scan = createScanHandler(env, { s3: client, logger });
    return {
      [STATE.plan]: asLambda(createPlanHandler(env, { s3: client, logger })),
      [STATE.scanBatch]: asLambda(async (event: never) => {
        opts.scanFault?.(event);
        return scan(event);
      }),
      [STATE.summarize]: asLambda(createSummarizeHandler(env, { s3: client, sns, logger })),
    };
  }

  async function execute(input: unknown, name: string, opts: { props?: Partial<RetroHuntDefinitionProps>; env?: Record<string, string>; scanFault?: (event: { items: { key: string }[] }) => void } = {}) {
    const record: MapRunRecord[] = [];
    const emulated = emulateDistributedMaps(retroHuntDefinition({ ...PROPS, ...opts.props }), {
      s3: s3.client, handlers: handlers(opts), stateMachineArn: STATE_MACHINE, executionName: name, record,
      retryIntervalOverrides: { [STATE.scanBatch]: 0 },
    });
    const execution = new StateMachine(emulated.definition as never).run(input as never, {
      overrides: { taskResourceLocalHandlers: emulated.handlers as never, retryIntervalOverrides: { [STATE.plan]: 0, [STATE.summarize]: 0 } },
      context: { Execution: { Id: `${STATE_MACHINE.replace(":stateMachine:", ":execution:")}:${name}`, Name: name, StartTime: "2026-12-01T08:00:00.000Z" } },
    });
    const events = collectEvents(execution.eventLogs);
    const result = await execution.result.then(
      (output) => ({ output: output as Record<string, any>, error: undefined }),
      (error: Error & { cause?: Error }) => ({ output: undefined, error: error.cause ?? error }),
    );
    await events;
    return { ...result, maps: record };
  }

  async function text(key: string): Promise<string> {
    return (await s3.client.send(new GetObjectCommand({ Bucket: RESULTS, Key: key }))).Body!.transformToString();
  }
  const summaryOf = async (name: string) => JSON.parse(await text(`hunts/${name}/summary.json`)) as HuntSummary;
  const alertsOf = async (name: string) => (await text(`hunts/${name}/alerts.jsonl`)).trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Alert);

  /** What `trailwatch scan` reports for the same window over a local copy: the same core, one machine. */
  async function localScan(window: { from: string; to: string }): Promise<Alert[]> {
    const result = await scanLogs(windowedSource(new LocalLogSource([join(dir, ...ROOT.split("/"))]), { from: new Date(window.from), to: new Date(window.to) }), new RuleEngine(catalog));
    return result.alerts;
  }

  /** Whether an alert's event is in some file other than `excluded`. */
  const foundOutside = (a: Alert, excluded: string[]) => files.some((f) => !excluded.includes(f.key) && f.records.some((r) => r.eventID === a.eventId));

  beforeAll(async () => {
    s3 = await startS3rverProcess({ buckets: [TRAIL, RESULTS], exactDelimiterListing: true });
    files = orgTrailFiles({ organizationId: ORG, accounts: [A, B], regions: ["us-east-1", "eu-central-1"], days: ["2026-11-19", "2026-11-20", "2026-11-21"] });
    // CloudTrail delivers an event twice now and then: the same StopLogging again in a later file.
    const again = files.find((f) => f.key.includes(`/${A}/CloudTrail/us-east-1/2026/11/20/`) && f.delivered.getUTCHours() === 15)!;
    const redelivered = [again.records[0]!];
    files.push({ ...again, key: again.key.replace(/_20261120T1505Z_[^/]+$/, "_20261120T1605Z_dup.json.gz"), delivered: new Date("2026-11-20T16:05:00Z"), records: redelivered, body: gzipSync(JSON.stringify({ Records: redelivered })) });
    const uploader = new S3Client({ ...s3rverClientConfig(s3.endpoint), maxAttempts: 5 });
    await uploadFiles(uploader, TRAIL, [
      ...files,
      { key: BROKEN, body: Buffer.from("not gzip at all") },
      { key: `${ROOT}${A}/CloudTrail-Digest/us-east-1/2026/11/20/${A}_CloudTrail-Digest_us-east-1_org-trail_us-east-1_20261120T100000Z.json.gz`, body: Buffer.from("{}") },
      { key: `${ROOT}${A}/CloudTrail/us-east-1/2026/11/20/notes.txt`, body: Buffer.from("hello") },
    ]);
    uploader.destroy();
    dir = mkdtempSync(join(tmpdir(), "tw-hunt-"));
    writeLocalCopy(dir, files);
  });
  afterAll(async () => {
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishBatchCommand).callsFake((req: { PublishBatchRequestEntries: { Id: string }[] }) => ({ Successful: req.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [] }));
  });

  it("hunts a window across every account and region in batches, and finds what a scan of the same window finds", async () => {
    // Act
    const { output, error, maps } = await execute({ from: "2026-11-19", to: "2026-11-20" }, "hunt-all");
    // Assess: the execution's output names the results
    expect(error).toBeUndefined();
    expect(output).toMatchObject({ hunt: "hunt-all", status: "succeeded", summary: { bucket: RESULTS, key: "hunts/hunt-all/summary.json" }, alerts: { bucket: RESULTS, key: "hunts/hunt-all/alerts.jsonl" } });
    // ... 16 log files of the window (2 accounts x 2 regions x 2 days x 2 deliveries), the redelivery and the broken one, in batches of at most 3, at most 2 at once
    const [map] = maps;
    expect(map!.items).toBe(18);
    expect(map!.batches.map((b) => b.input.Items.length)).toEqual([3, 3, 3, 3, 3, 3]);
    expect(map!.peakConcurrency).toBeLessThanOrEqual(2);
    // ... the same alerts as one scan of the window (the redelivered event merged across batches), each marked as the hunt's
    const alerts = await alertsOf("hunt-all");
    const expected = await localScan({ from: "2026-11-19T00:00:00Z", to: "2026-11-21T00:00:00Z" });
    expect(alerts.map((a) => [a.id, a.occurrences]).sort()).toEqual(expected.map((a) => [a.id, a.occurrences]).sort());
    expect(alerts).toHaveLength(16);
    expect(alerts.filter((a) => a.occurrences === 2)).toHaveLength(1);
    expect(new Set(alerts.map((a) => JSON.stringify(a.retroHunt)))).toEqual(new Set([JSON.stringify({ hunt: "hunt-all", from: "2026-11-19T00:00:00.000Z", to: "2026-11-21T00:00:00.000Z" })]));
    // ... and the summary counts what was listed, read and found, and names the unreadable file
    const summary = await summaryOf("hunt-all");
    expect(summary).toMatchObject({
      status: "succeeded",
      listing: { accountRegions: 4, dayFolders: 8, files: 18, skipped: { digest: 0, notLogFile: 1, outsideWindow: 8 } },
      batches: { total: 6, succeeded: 6, failed: 0, pending: 0 },
      scan: { files: 18, filesRead: 18, filesWithErrors: 1, records: 33 },
      alerts: { total: 16, byRule: { "cloudtrail.logging-stopped": 16 }, bySeverity: { critical: 16 } },
      failedItems: [],
    });
    expect(summary.fileProblems).toEqual([{ file: `s3://${TRAIL}/${BROKEN}`, reason: expect.stringContaining("not gzip") }]);
    expect(snsMock.commandCalls(PublishBatchCommand)).toHaveLength(0);
  });

  it("hunts only the accounts, regions and rules the input names, and merges one alert found in several batches", async () => {
    // Act: two rules, only A in us-east-1, one file per batch
    const { output, error } = await execute({ from: "2026-11-20T00:00:00Z", to: "2026-11-20T23:59:59Z", accounts: [A], regions: ["us-east-1"], rules: ["cloudtrail.logging-stopped", "iam.root-activity"] }, "hunt-narrow", { props: { itemsPerBatch: 1 } });
    // Assess: two stops, the redelivered one counted twice (batches 3 and 4), earliest delivery kept
    expect(error).toBeUndefined();
    const alerts = await alertsOf("hunt-narrow");
    expect(alerts.map((a) => [a.account, a.region, a.occurrences ?? 1]).sort()).toEqual([[A, "us-east-1", 1], [A, "us-east-1", 2]]);
    const summary = await summaryOf("hunt-narrow");
    expect(summary).toMatchObject({ accounts: [A], regions: ["us-east-1"], rules: ["cloudtrail.logging-stopped", "iam.root-activity"], listing: { accountRegions: 1, files: 4 }, batches: { total: 4, succeeded: 4 } });
    expect(output!.files).toBe(4);
  });

  it("tolerates a share of failed batches, and names each with Step Functions' error, its cause and its keys", async () => {
    // Prepare: the batch holding one file dies the way a Lambda out of memory does (not retried)
    const poison = files.find((f) => f.key.includes(`/${B}/CloudTrail/eu-central-1/2026/11/20/`))!.key;
    const scanFault = (event: { items: { key: string }[] }) => {
      if (event.items.some((i) => i.key === poison)) throw Object.assign(new Error("RequestId: 1 Error: Runtime exited with error: signal: killed"), { name: "Runtime.ExitError" });
    };
    // Act
    const { output, error } = await execute({ from: "2026-11-19", to: "2026-11-20" }, "hunt-tolerated", { scanFault });
    // Assess: 3 of 18 items failed (16.7 %), within the 30 % tolerated
    expect(error).toBeUndefined();
    expect(output).toMatchObject({ status: "succeeded", failedBatches: 1 });
    const summary = await summaryOf("hunt-tolerated");
    expect(summary.batches).toEqual({ total: 6, succeeded: 5, failed: 1, pending: 0 });
    expect(summary.failedItems).toEqual([{ batch: expect.any(String), error: "Runtime.ExitError", cause: expect.stringContaining("signal: killed"), files: 3, keys: expect.arrayContaining([poison]) }]);
    const expected = (await localScan({ from: "2026-11-19T00:00:00Z", to: "2026-11-21T00:00:00Z" })).filter((a) => foundOutside(a, summary.failedItems[0]!.keys));
    expect((await alertsOf("hunt-tolerated")).map((a) => a.id).sort()).toEqual(expected.map((a) => a.id).sort());
    expect(expected.length).toBeLessThan(16);
  });

  it("fails the hunt when more batches fail than tolerated, after writing the summary of what it did", async () => {
    // Prepare: every batch fails
    const scanFault = () => {
      throw Object.assign(new Error("Task timed out after 900.00 seconds"), { name: "Sandbox.Timedout" });
    };
    // Act
    const { error, maps } = await execute({ from: "2026-11-19", to: "2026-11-20" }, "hunt-failed", { scanFault, props: { toleratedFailurePercentage: 10 } });
    // Assess: the execution fails with the map's error; the batches never started are pending
    expect(error).toMatchObject({ name: "States.ExceedToleratedFailureThreshold" });
    const summary = await summaryOf("hunt-failed");
    expect(summary.status).toBe("failed");
    expect(summary.failure).toEqual({ error: "States.ExceedToleratedFailureThreshold", cause: expect.stringContaining("tolerated failure threshold") });
    expect(summary.batches.failed).toBe(maps[0]!.batches.filter((b) => b.status === "FAILED").length);
    expect(summary.batches.pending).toBeGreaterThan(0);
    expect(summary.batches.total).toBe(6);
    expect(summary.scan.files).toBe(18);
    expect(summary.alerts.total).toBe(0);
  });

  it("rejects an input that can never succeed at once, naming each problem, and lists nothing", async () => {
    // Act
    const { error } = await execute({ from: "2026-11-31", to: "2026-11-20", rules: ["cloudtrail.logging-stoped"], publishAlerts: true }, "hunt-bad");
    const written = await s3.client.send(new ListObjectsV2Command({ Bucket: RESULTS, Prefix: "hunts/hunt-bad/" }));
    // Assess
    expect(error).toMatchObject({ name: "InvalidInput" });
    expect(error!.message).toContain("from \\\"2026-11-31\\\" is not a real date");
    expect(error!.message).toContain("unknown rule id(s) cloudtrail.logging-stoped");
    expect(error!.message).toContain("publishAlerts: this deployment does not publish hunt alerts");
    expect(written.KeyCount ?? 0).toBe(0);
  });

  it("skips the map when the window holds no log files, and says so in the summary", async () => {
    // Act
    const { output, error, maps } = await execute({ from: "2026-10-01", to: "2026-10-02" }, "hunt-empty");
    // Assess
    expect(error).toBeUndefined();
    expect(maps).toEqual([]);
    expect(output).toMatchObject({ status: "succeeded", files: 0, alerts: { count: 0 } });
    expect((await summaryOf("hunt-empty")).listing.files).toBe(0);
    expect(await text("hunts/hunt-empty/alerts.jsonl")).toBe("");
  });

  it("publishes the alerts to the alert topic marked retro-hunt when the hunt asks and the deployment allows it", async () => {
    // Act
    const { error } = await execute({ from: "2026-11-20", to: "2026-11-20", accounts: [A], publishAlerts: true }, "hunt-publish", { env: { PUBLISH_ALLOWED: "true", ALERT_TOPIC_ARN: TOPIC } });
    // Assess
    expect(error).toBeUndefined();
    const entries: PublishBatchRequestEntry[] = snsMock.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
    expect(snsMock.commandCalls(PublishBatchCommand).every((c) => c.args[0].input.TopicArn === TOPIC)).toBe(true);
    expect(entries).toHaveLength(4);
    for (const e of entries) {
      expect(e.MessageAttributes!.retroHunt).toEqual({ DataType: "String", StringValue: "yes" });
      expect((JSON.parse(JSON.parse(e.Message!).default) as Alert).retroHunt).toMatchObject({ hunt: "hunt-publish" });
    }
    expect((await summaryOf("hunt-publish")).published).toEqual({ sent: 4, undeliverable: 0 });
  });
});
