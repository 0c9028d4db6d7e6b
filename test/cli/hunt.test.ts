/**
 * `trailwatch hunt` against Step Functions mocked with aws-sdk-client-mock (there is no local Step
 * Functions server), the mock checking every request and backed by the local executor: StartExecution
 * runs the real retro-hunt definition and handlers (test/support/distributed-map.ts for the
 * Distributed Map) over s3rver, DescribeExecution and DescribeMapRun report that execution, and the
 * command reads the summary and alerts the handlers wrote.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeExecutionCommand,
  DescribeMapRunCommand,
  DescribeStateMachineCommand,
  ListMapRunsCommand,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from "@aws-sdk/client-sfn";
import { S3Client } from "@aws-sdk/client-s3";
import { Logger } from "@aws-lambda-powertools/logger";
import { StateMachine } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import type { Alert } from "../../functions/core/alert/alert";
import { EXIT_HUNT_FAILED, huntSummaryText, runHunt, type HuntCommandOptions } from "../../functions/cli/commands/hunt";
import { retroHuntDefinition, STATE } from "../../modules/retro-hunt/definition";
import { createPlanHandler } from "../../functions/handlers/retro-hunt/plan";
import { createScanHandler } from "../../functions/handlers/retro-hunt/scan";
import { createSummarizeHandler } from "../../functions/handlers/retro-hunt/summarize";
import { DEFAULT_CONFIG, loadConfig } from "../../infra/config/load";
import { orgTrailFiles, uploadFiles } from "../support/cloudtrail-bucket";
import { emulateDistributedMaps, type MapRunRecord } from "../support/distributed-map";
import { s3rverClientConfig, type LocalS3 } from "../support/s3rver";
import { startS3rverProcess } from "../support/s3rver-process";
import { asLambda } from "../handlers/scoring/local-sfn";

const TRAIL = "cli-hunt-trail";
const RESULTS = "cli-hunt-results";
const ORG = "o-clihuntabcd";
const A = "111111111111";
const SM = "arn:aws:states:eu-west-1:123456789012:stateMachine:tw-retro-hunt";
const ENV = { TRAIL_BUCKET: TRAIL, RESULTS_BUCKET: RESULTS, ORGANIZATION_ID: ORG, MAX_WINDOW_DAYS: "400" };
const BROKEN = `AWSLogs/${ORG}/${A}/CloudTrail/us-east-1/2026/11/20/${A}_CloudTrail_us-east-1_20261120T1205Z_broken.json.gz`;

describe("trailwatch hunt (Step Functions mocked, backed by the local executor and s3rver)", () => {
  const sfnMock = mockClient(SFNClient);
  let s3: LocalS3;
  let dir: string;
  let client: S3Client;
  const logger = new Logger({ logLevel: "SILENT" });

  /** Executions the mock started: their result once done, and the map runs they made. */
  const executions = new Map<string, { done: boolean; output?: unknown; error?: { name: string; message: string }; maps: MapRunRecord[] }>();

  /** Wires the mock as Step Functions would answer for a state machine running the real handlers. */
  function stepFunctions(opts: { scanFault?: () => void; definitionArn?: string } = {}) {
    const definition = retroHuntDefinition({
      planFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-plan",
      scanFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-scan",
      summarizeFunctionArn: "arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-summarize",
      resultsBucket: RESULTS, maxConcurrency: 2, itemsPerBatch: 2, toleratedFailurePercentage: 10,
    });
    const arn = opts.definitionArn ?? SM;
    sfnMock.on(DescribeStateMachineCommand).callsFake((input: { stateMachineArn: string }) => {
      if (input.stateMachineArn !== arn) throw Object.assign(new Error(`State Machine Does Not Exist: '${input.stateMachineArn}'`), { name: "StateMachineDoesNotExist" });
      return { stateMachineArn: arn, name: arn.split(":").at(-1), definition: JSON.stringify(definition), roleArn: "arn:aws:iam::123456789012:role/x", type: "STANDARD", creationDate: new Date() };
    });
    sfnMock.on(StartExecutionCommand).callsFake((input: StartExecutionCommandInput) => {
      if (input.stateMachineArn !== arn) throw Object.assign(new Error("State Machine Does Not Exist"), { name: "StateMachineDoesNotExist" });
      const executionArn = `${arn.replace(":stateMachine:", ":execution:")}:${input.name}`;
      const state = { done: false, maps: [] as MapRunRecord[] } as { done: boolean; output?: unknown; error?: { name: string; message: string }; maps: MapRunRecord[] };
      executions.set(executionArn, state);
      const scan = createScanHandler(ENV, { s3: client, logger });
      const emulated = emulateDistributedMaps(definition, {
        s3: client, stateMachineArn: arn, executionName: input.name!, record: state.maps, retryIntervalOverrides: { [STATE.scanBatch]: 0 },
        handlers: {
          [STATE.plan]: asLambda(createPlanHandler(ENV, { s3: client, logger })),
          [STATE.scanBatch]: asLambda(async (e: never) => {
            opts.scanFault?.();
            return scan(e);
          }),
          [STATE.summarize]: asLambda(createSummarizeHandler(ENV, { s3: client, logger })),
        },
      });
      new StateMachine(emulated.definition as never)
        .run(JSON.parse(input.input!) as never, { overrides: { taskResourceLocalHandlers: emulated.handlers as never }, context: { Execution: { Id: executionArn, Name: input.name } } })
        .result.then(
          (output) => Object.assign(state, { done: true, output }),
          (e: Error & { cause?: Error }) => Object.assign(state, { done: true, error: { name: (e.cause ?? e).name, message: (e.cause ?? e).message } }),
        );
      return { executionArn, startDate: new Date() };
    });
    sfnMock.on(DescribeExecutionCommand).callsFake((input: { executionArn: string }) => {
      const e = executions.get(input.executionArn);
      if (!e) throw Object.assign(new Error("Execution Does Not Exist"), { name: "ExecutionDoesNotExist" });
      if (!e.done) return { executionArn: input.executionArn, status: "RUNNING" };
      return e.error
        ? { executionArn: input.executionArn, status: "FAILED", error: e.error.name, cause: e.error.message }
        : { executionArn: input.executionArn, status: "SUCCEEDED", output: JSON.stringify(e.output) };
    });
    sfnMock.on(ListMapRunsCommand).callsFake((input: { executionArn: string }) => ({ mapRuns: (executions.get(input.executionArn)?.maps ?? []).map((m) => ({ mapRunArn: m.mapRunArn, executionArn: input.executionArn })) }));
    sfnMock.on(DescribeMapRunCommand).callsFake((input: { mapRunArn: string }) => {
      const m = [...executions.values()].flatMap((e) => e.maps).find((x) => x.mapRunArn === input.mapRunArn)!;
      const items = (status: string) => m.batches.filter((b) => b.status === status).reduce((n, b) => n + b.input.Items.length, 0);
      const done = items("SUCCEEDED") + items("FAILED");
      return {
        mapRunArn: m.mapRunArn, status: "RUNNING",
        itemCounts: { total: m.items, succeeded: items("SUCCEEDED"), failed: items("FAILED"), pending: m.items - done, running: 0, timedOut: 0, aborted: 0, resultsWritten: 0 },
        executionCounts: { total: Math.ceil(m.items / 2), succeeded: m.batches.filter((b) => b.status === "SUCCEEDED").length, failed: m.batches.filter((b) => b.status === "FAILED").length, pending: 0, running: 0, timedOut: 0, aborted: 0, resultsWritten: 0 },
      };
    });
  }

  async function hunt(o: Partial<HuntCommandOptions>) {
    const stderr: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
    try {
      const res = await runHunt({ format: "jsonl", output: join(dir, "alerts.jsonl"), pollSeconds: "0.02", progress: false, ...o }, { sfn: new SFNClient({ region: "eu-west-1" }), s3: client });
      return { ...res, stderr: stderr.join("") };
    } finally {
      spy.mockRestore();
    }
  }
  const written = () => readFileSync(join(dir, "alerts.jsonl"), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as Alert);

  beforeAll(async () => {
    s3 = await startS3rverProcess({ buckets: [TRAIL, RESULTS], exactDelimiterListing: true });
    client = new S3Client({ ...s3rverClientConfig(s3.endpoint), maxAttempts: 3 });
    const files = orgTrailFiles({ organizationId: ORG, accounts: [A, "222222222222"], regions: ["us-east-1"], days: ["2026-11-19", "2026-11-20"] });
    await uploadFiles(client, TRAIL, [...files, { key: BROKEN, body: Buffer.from("not gzip") }]);
    dir = mkdtempSync(join(tmpdir(), "tw-cli-hunt-"));
  });
  afterAll(async () => {
    client?.destroy();
    await s3?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    sfnMock.reset();
    executions.clear();
  });

  it("starts a hunt with the input asked for, follows it to its end, prints the summary as tables and writes the alerts like scan", async () => {
    // Prepare
    stepFunctions();
    // Act
    const r = await hunt({ from: "2026-11-20", to: "2026-11-20", accounts: A, rules: "cloudtrail.logging-stopped", stateMachine: SM, progress: true });
    // Assess: the request Step Functions got
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(SM);
    expect(start.name).toMatch(/^hunt-\d{8}T\d{6}Z-[0-9a-f]{6}$/);
    expect(JSON.parse(start.input!)).toEqual({ from: "2026-11-20", to: "2026-11-20", accounts: [A], rules: ["cloudtrail.logging-stopped"] });
    expect(sfnMock.commandCalls(DescribeExecutionCommand).length).toBeGreaterThanOrEqual(2);
    expect(sfnMock.commandCalls(DescribeMapRunCommand).length).toBeGreaterThanOrEqual(1);
    // ... what it printed and wrote: the broken file makes the exit status 2, as in a scan
    expect(r.code).toBe(2);
    expect(r.summary).toMatchObject({ status: "succeeded", listing: { files: 3 }, scan: { filesWithErrors: 1 }, alerts: { total: 2 } });
    expect(written().map((a) => [a.rule, a.account, a.retroHunt?.hunt])).toEqual([
      ["cloudtrail.logging-stopped", A, start.name],
      ["cloudtrail.logging-stopped", A, start.name],
    ]);
    expect(r.stderr).toContain(`started hunt ${start.name}`);
    expect(r.stderr).toMatch(/│ log files listed │ read │ with errors │ skipped │ records │ MB of JSON │ batches │ failed │ pending │ alerts │\n[^\n]+\n│ 3\s+│ 3\s+│ 1\s+│/);
    expect(r.stderr).toMatch(/│ cloudtrail\.logging-stopped │ 2\s+│/);
    expect(r.stderr).toContain(`${BROKEN}: not gzip data`);
    expect(r.stderr).toContain(`Results: s3://${RESULTS}/hunts/${start.name}/summary.json`);
  });

  it("finds the state machine from the deployment config, checking the window against its maxWindowDays first", async () => {
    // Prepare
    const cfg = loadConfig(DEFAULT_CONFIG);
    const arn = `arn:aws:states:${cfg.deployment.homeRegion}:${cfg.deployment.account}:stateMachine:${cfg.namePrefix}-retro-hunt`;
    stepFunctions({ definitionArn: arn });
    // Act
    const r = await hunt({ from: "2026-11-19", to: "2026-11-20", config: DEFAULT_CONFIG, name: "from-config", format: "csv" });
    const tooLong = hunt({ from: "2024-01-01", to: "2026-11-20", config: DEFAULT_CONFIG });
    // Assess
    expect(sfnMock.commandCalls(DescribeStateMachineCommand)[0]!.args[0].input.stateMachineArn).toBe(arn);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.name).toBe("from-config");
    expect(r.summary!.alerts.total).toBe(8);
    expect(readFileSync(join(dir, "alerts.jsonl"), "utf8").split("\r\n")[0]).toMatch(/^id,severity,rule,/);
    await expect(tooLong).rejects.toMatchObject({ name: "UsageError", message: expect.stringContaining("more than this deployment's maxWindowDays (400)") });
  });

  it("refuses what cannot succeed before starting anything: no state machine, a state machine that is not a retro-hunt", async () => {
    // Prepare
    stepFunctions();
    sfnMock.on(DescribeStateMachineCommand, { stateMachineArn: `${SM}-other` }).resolves({ definition: JSON.stringify({ StartAt: "x", States: { x: { Type: "Succeed" } } }) });
    // Act / Assess
    await expect(hunt({ from: "2026-11-20" })).rejects.toMatchObject({ name: "UsageError", message: expect.stringContaining("--state-machine ARN") });
    await expect(hunt({ from: "2026-11-20", stateMachine: `${SM}-other` })).rejects.toMatchObject({ name: "UsageError", message: expect.stringContaining("is not a trailwatch retro-hunt state machine") });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toEqual([]);
  });

  it("leaves rule ids to the plan step when only the state machine is given (the deployment may bring rules of its own), which refuses an unknown one", async () => {
    // Prepare
    stepFunctions();
    // Act
    const typo = await hunt({ from: "2026-11-20", rules: "cloudtrail.logging-stoped", stateMachine: SM, name: "typo" });
    // Assess
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("unknown rule id(s) cloudtrail.logging-stoped");
    expect(typo.summary).toBeUndefined();
  });

  it("prints what a hunt that failed past its tolerance did, and exits 5", async () => {
    // Prepare: every batch dies
    stepFunctions({ scanFault: () => { throw Object.assign(new Error("Task timed out after 900.00 seconds"), { name: "Sandbox.Timedout" }); } });
    // Act
    const r = await hunt({ from: "2026-11-19", to: "2026-11-20", stateMachine: SM, name: "failing" });
    // Assess
    expect(r.code).toBe(EXIT_HUNT_FAILED);
    expect(r.summary).toMatchObject({ status: "failed", failure: { error: "States.ExceedToleratedFailureThreshold" } });
    expect(r.stderr).toContain("The hunt failed: States.ExceedToleratedFailureThreshold");
    expect(r.stderr).toMatch(/batch\(es\) failed after retries/);
    expect(r.stderr).toContain("Sandbox.Timedout");
    expect(r.stderr).toContain("hunt failing failed: States.ExceedToleratedFailureThreshold");
  });

  it("follows a hunt already started (--execution), and says why a hunt stopped before its summary", async () => {
    // Prepare: one hunt started, then followed again; one that the server refused
    stepFunctions();
    const first = await hunt({ from: "2026-11-20", to: "2026-11-20", stateMachine: SM, name: "follow-me" });
    const arn = first.executionArn;
    executions.set(`${SM.replace(":stateMachine:", ":execution:")}:refused`, { done: true, error: { name: "InvalidInput", message: "invalid hunt input: publishAlerts: this deployment does not publish hunt alerts" }, maps: [] });
    // Act
    const again = await hunt({ execution: arn });
    const refused = await hunt({ execution: `${SM.replace(":stateMachine:", ":execution:")}:refused` });
    // Assess
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
    expect(again.summary).toEqual(first.summary);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("hunt refused failed without a summary: InvalidInput: invalid hunt input: publishAlerts");
  });

  it("escapes what came from the bucket in its tables", () => {
    // Act
    const text = huntSummaryText({
      hunt: "h", status: "succeeded", window: { from: "a", to: "b" }, startedAt: "", finishedAt: "",
      listing: { accountRegions: 0, dayFolders: 0, files: 1, bytes: 0, skipped: { digest: 0, notLogFile: 0, empty: 0, outsideWindow: 0 }, problems: [{ file: "s3://b/evil\x1b[2J", reason: "denied\r\nSeverity: none" }], moreProblems: 0 },
      batches: { total: 1, succeeded: 1, failed: 0, pending: 0 }, scan: { files: 1, filesRead: 1, filesSkipped: 0, filesWithErrors: 0, records: 0, invalidRecords: 0, bytes: 0, storedBytes: 0 },
      failedItems: [], moreFailedItems: 0, fileProblems: [], moreFileProblems: 0, ruleErrors: [],
      alerts: { total: 1, byRule: { "x.y\u202e": 1 }, bySeverity: { info: 1, low: 0, medium: 0, high: 0, critical: 0 }, unmerged: 0 },
      suppressed: { "r.s\x1b[31m": 4 },
      results: { summary: "s3://r/s", alerts: "s3://r/a", mapResults: "s3://r/m/" },
    });
    // Assess
    expect(text).not.toMatch(/[\x1b\r\u202e]/);
    expect(text).toMatch(/matches suppressed[\s\S]*r\.s\\x1b\[31m[^\n]*4/);
    expect(text).toContain("evil\\x1b[2J");
    expect(text).toContain("denied\\r\\nSeverity: none");
  });
});
