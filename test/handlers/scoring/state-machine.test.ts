import { GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { SageMakerRuntimeClient, InvokeEndpointCommand } from "@aws-sdk/client-sagemaker-runtime";
import { PublishBatchCommand, SNSClient, type PublishBatchRequestEntry } from "@aws-sdk/client-sns";
import { Logger } from "@aws-lambda-powertools/logger";
import { StateMachine } from "aws-local-stepfunctions";
import { mockClient } from "aws-sdk-client-mock";
import type { Alert } from "../../../functions/core/alert";
import { addDays, precedingDays } from "../../../functions/core/scoring";
import { createAlertHandler } from "../../../functions/handlers/scoring/alert";
import { scoringDefinition, STATE } from "../../../modules/scoring/definition";
import { createReadHandler } from "../../../functions/handlers/scoring/read";
import { createScoreHandler } from "../../../functions/handlers/scoring/score";
import { startS3rverProcess } from "../../support/s3rver-process";
import { s3rverClientConfig, type LocalS3 } from "../../support/s3rver";
import { ACCOUNT, asLambda, collectEvents, ctRecord, logFile, logKey, putAll, type EventLog } from "./local-sfn";

const TRAIL = "trail-logs";
const WORK = "scoring-work";
const REGION = "us-east-1";
const DAY = "2026/10/20";
const BUSY_ACCOUNT = "444455556666";
const TOPIC = "arn:aws:sns:us-east-1:123456789012:trailwatch-alerts";
const ARN = (fn: string) => `arn:aws:lambda:us-east-1:123456789012:function:tw-scoring-${fn}`;
const definition = scoringDefinition({ readFunctionArn: ARN("read"), scoreFunctionArn: ARN("score"), alertFunctionArn: ARN("alert") });
const dayPrefix = (account: string, day: string) => `AWSLogs/${account}/CloudTrail/${REGION}/${day}/`;
const input = (over: Record<string, unknown> = {}) => ({ cloudtrail_bucket: TRAIL, aws_account: ACCOUNT, aws_region: REGION, day_of_interest: DAY, ...over });

/** Habits of the account: [who, eventSource, eventName, count on day d of the history]. */
const habits: [string, string, string, (d: number) => number][] = [
  ["alice", "ec2.amazonaws.com", "DescribeInstances", (d) => 20 + (d % 5)],
  ["bob", "s3.amazonaws.com", "GetObject", (d) => 30 + ((d * 7) % 9)],
  ["carol", "ec2.amazonaws.com", "DescribeInstances", (d) => 10 + (d % 3)],
  ["carol", "s3.amazonaws.com", "ListBuckets", () => 3],
  ["role:deployer/ci-run", "lambda.amazonaws.com", "UpdateFunctionCode", (d) => 4 + (d % 2)],
  ["role:deployer/ci-run", "lambda.amazonaws.com", "GetFunction", (d) => 9 + (d % 4)],
];

/** One day of the account as two log files (morning and afternoon), plus an AWS service's own calls. */
function dayFiles(day: string, d: number, extra: [string, string, string, number][] = []) {
  const iso = day.replace(/\//g, "-");
  const records: Record<string, unknown>[] = [];
  for (const [who, src, name, n] of [...habits.map(([w, s, e, f]) => [w, s, e, f(d)] as const), ...extra]) {
    for (let i = 0; i < n; i++) {
      const minute = (i * 37 + name.length) % 1440;
      const t = `${iso}T${String(Math.floor(minute / 60)).padStart(2, "0")}:${String(minute % 60).padStart(2, "0")}:${String(i % 60).padStart(2, "0")}Z`;
      records.push(ctRecord(who, src, name, t, { eventID: `${who}-${name}-${day}-${i}` }));
    }
  }
  records.push(ctRecord("role:cfn/x", "ec2.amazonaws.com", "RunInstances", `${iso}T05:00:00Z`, { sourceIPAddress: "cloudformation.amazonaws.com" }));
  const prefix = dayPrefix(ACCOUNT, day);
  return [
    { key: logKey(prefix, ACCOUNT, REGION, `${iso}T11:55:00Z`, "am"), body: logFile(records.filter((r) => (r.eventTime as string) < `${iso}T12`)) },
    { key: logKey(prefix, ACCOUNT, REGION, `${iso}T23:55:00Z`, "pm"), body: logFile(records.filter((r) => (r.eventTime as string) >= `${iso}T12`)) },
  ];
}

describe("the scoring state machine, executed with the real handlers over S3", () => {
  let s3: LocalS3;
  let uploader: S3Client;
  const sns = new SNSClient({ region: "us-east-1" });
  const snsMock = mockClient(sns);
  const published = (): PublishBatchRequestEntry[] => snsMock.commandCalls(PublishBatchCommand).flatMap((c) => c.args[0].input.PublishBatchRequestEntries ?? []);
  const alertOf = (e: PublishBatchRequestEntry): Alert => JSON.parse(JSON.parse(e.Message!).default) as Alert;
  const env = { WORK_BUCKET: WORK, CLOUDTRAIL_BUCKETS: `other-bucket,${TRAIL}`, HISTORY_DAYS: "14", BATCH_MAX_FILES: "1000", ALERT_TOPIC_ARN: TOPIC };

  /** The three handlers, bound to the state names as Lambda would run them. */
  function bindings(opts: { client?: S3Client; scoreEnv?: Record<string, string>; sagemaker?: SageMakerRuntimeClient; calls?: unknown[] } = {}) {
    const client = opts.client ?? s3.makeClient();
    const logger = new Logger({ logLevel: "SILENT" });
    const read = asLambda(createReadHandler(env, { s3: client, logger }), opts.calls);
    const score = asLambda(createScoreHandler({ ...env, ...opts.scoreEnv }, { s3: client, sagemaker: opts.sagemaker, logger }), opts.calls);
    const alert = asLambda(createAlertHandler(env, { s3: client, sns, logger }), opts.calls);
    return {
      [STATE.plan]: read, [STATE.readBatch]: read, [STATE.merge]: read,
      [STATE.score]: score, [STATE.alert]: alert, [STATE.reportFailure]: alert,
    };
  }

  async function execute(payload: unknown, name: string, handlers: Record<string, (i: unknown) => Promise<unknown>>) {
    const execution = new StateMachine(definition as never).run(payload as never, {
      overrides: { taskResourceLocalHandlers: handlers as never, retryIntervalOverrides: { [STATE.readBatch]: 0, [STATE.score]: 0, [STATE.plan]: 0 } },
      context: { Execution: { Id: `arn:aws:states:us-east-1:123456789012:execution:tw-scoring:${name}`, Name: name } },
    });
    const events = collectEvents(execution.eventLogs);
    const result = await execution.result.then((output) => ({ output: output as Record<string, any>, error: undefined }), (error: Error & { cause?: Error }) => ({ output: undefined, error: error.cause ?? error }));
    return { ...result, events: await events };
  }

  async function text(key: string): Promise<string> {
    const res = await s3.client.send(new GetObjectCommand({ Bucket: WORK, Key: key }));
    return res.Body!.transformToString();
  }
  async function keysUnder(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.client.send(new ListObjectsV2Command({ Bucket: WORK, Prefix: prefix, ContinuationToken: token }));
      out.push(...(page.Contents ?? []).map((o) => o.Key!));
      token = page.NextContinuationToken;
    } while (token);
    return out;
  }

  beforeAll(async () => {
    s3 = await startS3rverProcess({ buckets: [TRAIL, WORK] });
    // Fixtures go in with retries (a busy machine can drop a keep-alive socket); the code under test gets none.
    uploader = new S3Client({ ...s3rverClientConfig(s3.endpoint), maxAttempts: 5 });
    const history = precedingDays(DAY, 14).flatMap((day, d) => dayFiles(day, d));
    const target = dayFiles(DAY, 14, [["alice", "iam.amazonaws.com", "CreateAccessKey", 1], ["bob", "s3.amazonaws.com", "GetObject", 1500]]);
    const prefix = dayPrefix(ACCOUNT, DAY);
    await putAll(uploader, TRAIL, [
      ...history, ...target,
      { key: `${prefix}${ACCOUNT}_CloudTrail_${REGION}_20261020T1300Z_broken.json.gz`, body: Buffer.from("not gzip at all") },
      { key: `${prefix}empty.json.gz`, body: "" },
      { key: `${prefix}notes.txt`, body: "hello" },
    ]);
  });
  afterAll(async () => {
    uploader?.destroy();
    await s3?.stop();
  });
  beforeEach(() => {
    snsMock.reset();
    snsMock.on(PublishBatchCommand).callsFake((req: { PublishBatchRequestEntries: { Id: string }[] }) => ({ Successful: req.PublishBatchRequestEntries.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })), Failed: [] }));
  });

  it("reads every file of the day, scores each pair against 14 days of history and alerts on the unusual ones", async () => {
    const { output, error } = await execute(input(), "run-main", bindings());

    expect(error).toBeUndefined();
    expect(output).toMatchObject({ runId: "run-main", account: ACCOUNT, day: DAY, unusual: 2, summarySent: true, threshold: 0.7, results: `s3://${WORK}/runs/run-main/` });
    const pairs = await text("runs/run-main/pairs.csv");
    expect(pairs).toContain(`arn:aws:iam::${ACCOUNT}:role/deployer,AssumedRole,lambda.amazonaws.com,UpdateFunctionCode,`);
    expect(pairs).toContain(`arn:aws:iam::${ACCOUNT}:user/bob,IAMUser,s3.amazonaws.com,GetObject,1538,`);
    expect(pairs).not.toContain("RunInstances");
    const scores = await text("runs/run-main/scores.csv");
    expect(scores.trim().split("\n")).toHaveLength(1 + 7);
  });

  it("sends each unusual pair to the non-email sinks and one summary to email", async () => {
    await execute(input(), "run-alerts", bindings());

    const entries = published();
    const rows = entries.filter((e) => e.MessageAttributes!.rule!.StringValue === "score.unusual-activity");
    const summaries = entries.filter((e) => e.MessageAttributes!.rule!.StringValue === "score.run-summary");
    expect(rows.map((e) => e.MessageAttributes!.email!.StringValue)).toEqual(["no", "no"]);
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.MessageAttributes!.email!.StringValue).toBe("yes");
    const [first, second] = rows.map(alertOf);
    expect([first!.eventName, second!.eventName].sort()).toEqual(["CreateAccessKey", "GetObject"]);
    const key = rows.map(alertOf).find((a) => a.eventName === "CreateAccessKey")!;
    expect(key).toMatchObject({
      rule: "score.unusual-activity", account: ACCOUNT, region: REGION, principal: `arn:aws:iam::${ACCOUNT}:user/alice`,
      context: { threshold: 0.7, count: 1, logPrefix: `s3://${TRAIL}/${dayPrefix(ACCOUNT, DAY)}`, components: { pairDays: 0, callers: 0, historyDays: 14 } },
    });
    const summary = alertOf(summaries[0]!);
    expect(summary.summary).toMatch(/^2 unusual \(principal, API\) pair\(s\) in 111122223333 us-east-1 on 2026\/10\/20, of 7 scored/);
    expect(summary.context).toMatchObject({ unreadableFiles: 1, logFiles: 3, problems: [expect.stringMatching(/broken\.json\.gz: not gzip data/)] });
    expect(JSON.parse(summaries[0]!.Message!).email).toContain("CreateAccessKey");
  });

  it("caches complete past days, so the next run reads only the day of interest", async () => {
    await execute(input(), "run-cache-1", bindings());
    const calls: any[] = [];
    const { output } = await execute(input({ day_of_interest: addDays(DAY, 1) }), "run-cache-2", bindings({ calls }));

    expect(await keysUnder(`history/${TRAIL}/${ACCOUNT}/${REGION}/2026/10/`)).toEqual(expect.arrayContaining([`history/${TRAIL}/${ACCOUNT}/${REGION}/2026/10/20/pairs.csv`, `history/${TRAIL}/${ACCOUNT}/${REGION}/2026/10/07/pairs.csv`]));
    const plan = JSON.parse(await text("runs/run-cache-2/plan.json")) as { days: { day: string; source: string }[] };
    expect(plan.days.filter((d) => d.source === "logs").map((d) => d.day)).toEqual(["2026/10/21"]);
    expect(output).toMatchObject({ day: "2026/10/21", pairs: 0, summarySent: true });
    expect(calls.filter((c) => c.action === "read-batch")).toHaveLength(0);
  });

  it("scores the UTC day before the scheduled time when a schedule starts the run", async () => {
    const { day_of_interest: _, ...scheduled } = input();
    const { output, error } = await execute({ ...scheduled, scheduled_time: "2026-10-21T02:30:00Z" }, "run-scheduled", bindings());

    expect(error).toBeUndefined();
    expect(output).toMatchObject({ day: DAY, unusual: 2 });
  });

  it("keeps concurrent runs of the same day apart", async () => {
    const [a, b] = await Promise.all([execute(input(), "run-a", bindings()), execute(input(), "run-b", bindings())]);

    expect([a.error, b.error]).toEqual([undefined, undefined]);
    expect(await text("runs/run-a/pairs.csv")).toEqual(await text("runs/run-b/pairs.csv"));
    expect((await keysUnder("runs/run-a/")).every((k) => k.startsWith("runs/run-a/"))).toBe(true);
    expect(await keysUnder("runs/run-b/")).toEqual(expect.arrayContaining(["runs/run-b/plan.json", "runs/run-b/pairs.csv", "runs/run-b/scores.csv", "runs/run-b/alerts.jsonl"]));
  });

  it("retries a step that failed transiently and then succeeds", async () => {
    const client = s3.makeClient();
    let failedOnce = false;
    client.middlewareStack.add((next, context) => async (args) => {
      const key = (args.input as { Key?: string }).Key ?? "";
      if (!failedOnce && context.commandName === "GetObjectCommand" && key.includes("/batches/")) {
        failedOnce = true;
        throw Object.assign(new Error("Please reduce your request rate."), { name: "SlowDown", $metadata: { httpStatusCode: 503 } });
      }
      return next(args);
    }, { step: "initialize", name: "injectOneSlowDown" });
    const handlers = bindings({ client });
    let throttledOnce = false;
    const score = handlers[STATE.score];
    handlers[STATE.score] = async (i: unknown) => {
      if (!throttledOnce) {
        throttledOnce = true;
        throw Object.assign(new Error("Rate Exceeded."), { name: "Lambda.TooManyRequestsException" });
      }
      return score(i);
    };

    const { output, error, events } = await execute(input(), "run-retry", handlers);

    expect(error).toBeUndefined();
    expect(output!.unusual).toBe(2);
    const retried = events.filter((e): e is Extract<EventLog, { type: "StateRetried" }> => e.type === "StateRetried");
    expect(retried.map((e) => e.state.name).sort()).toEqual([STATE.readBatch, STATE.score]);
    const failed = events.filter((e): e is Extract<EventLog, { type: "StateFailed" }> => e.type === "StateFailed");
    expect(failed.map((e) => e.Error).sort()).toEqual(["Lambda.TooManyRequestsException", "TransientError"]);
  });

  it("reports a failure that retries cannot fix through the alert routing, then fails the execution", async () => {
    const sagemaker = new SageMakerRuntimeClient({ region: "us-east-1" });
    mockClient(sagemaker).on(InvokeEndpointCommand).rejects(Object.assign(new Error("Received client error (400) from primary: bad row"), { name: "ModelError", $metadata: { httpStatusCode: 424 } }));

    const { error, events } = await execute(input(), "run-fails", bindings({ sagemaker, scoreEnv: { SCORER: "sagemaker", SAGEMAKER_ENDPOINT: "activity-model" } }));

    expect(error).toMatchObject({ name: "ModelError" });
    expect(JSON.parse(error!.message)).toMatchObject({ errorType: "ModelError", errorMessage: expect.stringContaining("SageMaker endpoint activity-model") });
    expect(events.some((e) => e.type === "StateRetried")).toBe(false);
    const entries = published();
    expect(entries).toHaveLength(1);
    expect(entries[0]!.MessageAttributes!.email!.StringValue).toBe("yes");
    expect(alertOf(entries[0]!)).toMatchObject({
      rule: "score.run-failed", severity: "high", account: ACCOUNT,
      summary: expect.stringContaining("Scoring of 111122223333 us-east-1 for 2026/10/20 failed: ModelError: SageMaker endpoint activity-model"),
      context: { execution: "arn:aws:states:us-east-1:123456789012:execution:tw-scoring:run-fails" },
    });
  });

  it("fails at once, without calling any function, when a field is missing", async () => {
    const calls: unknown[] = [];
    const { error } = await execute({ aws_account: ACCOUNT, aws_region: REGION }, "run-missing", bindings({ calls }));

    expect(error).toMatchObject({ name: "InvalidInput", message: expect.stringContaining("cloudtrail_bucket, aws_account (12 digits), aws_region and day_of_interest") });
    expect(calls).toEqual([]);
    expect(published()).toEqual([]);
  });

  it("fails at once with the reason when a value is wrong, without retrying or alerting", async () => {
    const { error, events } = await execute(input({ aws_account: "1111", day_of_interest: "2026-10-20" }), "run-bad", bindings());

    expect(error!.name).toBe("InvalidInput");
    expect(JSON.parse(error!.message).errorMessage).toMatch(/aws_account must be a 12-digit account id.*\(got "1111"\).*day_of_interest must be a real calendar day/);
    expect(events.some((e) => e.type === "StateRetried")).toBe(false);
    expect(published()).toEqual([]);
  });

  it("refuses a trail bucket the deployment was not given", async () => {
    const { error } = await execute(input({ cloudtrail_bucket: "someone-elses-bucket" }), "run-bucket", bindings());
    expect(error!.name).toBe("InvalidInput");
    expect(error!.message).toContain("not a bucket this deployment reads");
  });

  describe("a busy day of 3,000 log files", () => {
    beforeAll(async () => {
      const prefix = dayPrefix(BUSY_ACCOUNT, DAY);
      const files = Array.from({ length: 3000 }, (_, i) => {
        const t = `2026-10-20T${String(Math.floor(i / 125)).padStart(2, "0")}:${String(Math.floor(i / 3) % 60).padStart(2, "0")}:00Z`;
        return {
          key: logKey(prefix, BUSY_ACCOUNT, REGION, t, `f${String(i).padStart(4, "0")}`),
          body: logFile([ctRecord(`user${i % 7}`, "s3.amazonaws.com", i % 2 ? "GetObject" : "PutObject", t), ctRecord("role:app/task", "dynamodb.amazonaws.com", "Query", t)]),
        };
      });
      await putAll(uploader, TRAIL, files, 8);
    });

    it("lists every page and reads every file, in batches of a Map state", async () => {
      const calls: any[] = [];
      const { output, error } = await execute(input({ aws_account: BUSY_ACCOUNT }), "run-busy", bindings({ calls }));

      expect(error).toBeUndefined();
      const plan = calls.find((c) => c.action === "plan");
      expect(plan).toBeDefined();
      expect(calls.filter((c) => c.action === "read-batch").map((c) => c.batch).sort()).toEqual([0, 1, 2]);
      const read = JSON.parse(await text("runs/run-busy/read.json"));
      expect(read.totals).toMatchObject({ files: 3000, records: 6000, pairs: 15, unreadableFiles: 0 });
      const pairs = (await text("runs/run-busy/pairs.csv")).trim().split("\n").slice(1);
      expect(pairs.reduce((n, line) => n + Number(line.split(",")[4]), 0)).toBe(6000);
      // No history for this account: the built-in scorer judges nothing and no one is mailed.
      expect(output).toMatchObject({ pairs: 15, unusual: 0, summarySent: false });
    });
  });
});
