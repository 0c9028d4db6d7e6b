/**
 * The lifecycle test's own machinery, checked without the emulator: the provider override, the
 * re-plan judge, the wiring classifiers, the gap proxy (against a small local upstream) and the
 * message when moto is missing.
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import { emulatorOverride, endpointServices } from "../support/emulator-terraform";
import { listenOnLoopback } from "../support/loopback";
import { assertMotoAvailable } from "../support/moto";
import { startMotoGapProxy, type MotoGapProxy } from "../support/moto-gap-proxy";
import type { ResourceChange } from "../support/terraform";
import { actionsAllowedOn, changedAttributes, envReferences, unexplainedChanges } from "./lifecycle-support";

const change = (address: string, actions: string[], before: Record<string, unknown> | null, after: Record<string, unknown> | null, afterUnknown: Record<string, unknown> = {}): ResourceChange => ({
  address,
  mode: address.startsWith("data.") ? "data" : "managed",
  type: address.replace(/^data\./, "").split(".")[0]!,
  name: address.split(".").at(-1)!,
  change: { actions, before, after, after_unknown: afterUnknown },
});

describe("the emulator override", () => {
  const synthesized = {
    provider: { aws: [{ region: "eu-west-1", allowed_account_ids: ["123456789012"] }, { alias: "us-east-1", region: "us-east-1" }] },
    resource: { aws_sqs_queue: {}, aws_cloudwatch_event_rule: {}, aws_sfn_state_machine: {} },
    data: { aws_iam_policy_document: {} },
  };

  it("points every provider block, the aliases too, at the emulator for every service the stack uses, and keeps state where the test says", () => {
    // Act
    const o = emulatorOverride(synthesized, "http://127.0.0.1:1234", "/tmp/x/terraform.tfstate") as { provider: { aws: Record<string, any>[] }; terraform: unknown };
    // Assess
    expect(o.provider.aws.map((b) => b.alias ?? "(default)")).toEqual(["(default)", "us-east-1"]);
    for (const b of o.provider.aws) {
      expect(b.endpoints).toEqual([{ events: "http://127.0.0.1:1234", sfn: "http://127.0.0.1:1234", sqs: "http://127.0.0.1:1234", sts: "http://127.0.0.1:1234" }]);
      expect(b).toMatchObject({ s3_use_path_style: true, skip_credentials_validation: true, max_retries: 3 });
      expect(b).not.toHaveProperty("allowed_account_ids"); // the synthesized block's own stays in force
    }
    expect(o.terraform).toEqual({ backend: { local: { path: "/tmp/x/terraform.tfstate" } } });
  });

  it("refuses a resource type it has no endpoint for, rather than letting it reach AWS", () => {
    // Act / Assess
    expect(() => endpointServices({ resource: { aws_ssm_parameter: {}, aws_ecr_repository: {} } })).toThrow(/no emulator endpoint for aws_ecr_repository: add the provider's endpoint key/);
  });
});

describe("the re-plan judge", () => {
  it("names a changed attribute outside the allowed gaps, a value known only after apply, and a data source deferred to apply", () => {
    // Prepare
    const changes = [
      change("aws_sqs_queue.q", ["no-op"], { name: "q" }, { name: "q" }),
      change("aws_cloudformation_stack_set.s", ["delete", "create"], { capabilities: [] }, { capabilities: ["CAPABILITY_NAMED_IAM"], id: null }, { id: true }),
      change("aws_iam_role_policy.p", ["update"], { policy: "{}" }, { policy: null }, { policy: true }),
      change("aws_lambda_function.f", ["update"], { timeout: 60, logging_config: [] }, { timeout: 60, logging_config: [{ log_format: "JSON" }] }),
      { ...change("data.aws_iam_policy_document.d", ["read"], null, {}), action_reason: "read_because_dependency_pending" },
    ];
    // Act
    const found = unexplainedChanges(changes, { aws_cloudformation_stack_set: ["capabilities", "id"] });
    // Assess
    expect(found).toEqual([
      "aws_iam_role_policy.p: update of policy",
      "aws_lambda_function.f: update of logging_config",
      "data.aws_iam_policy_document.d: read during apply (read_because_dependency_pending)",
    ]);
    expect(changedAttributes(changes[1]!)).toEqual(["capabilities", "id"]);
  });
});

describe("the wiring checks", () => {
  it("finds the resources an environment names by ARN, queue URL and variable name, and leaves other values alone", () => {
    // Act
    const refs = envReferences(
      {
        ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:123456789012:tw-alerts",
        IDEMPOTENCY_TABLE: "tw-idempotency",
        GLUE_TABLE: "cloudtrail",
        REMEDIATOR_FUNCTION: "tw-remediator",
        CLOUDTRAIL_BUCKETS: "logs-a,logs-b",
        HEC_DLQ_URL: "http://127.0.0.1:5000/123456789012/tw-hec-rejected",
        FUNCTION_ROLE_ARN: "arn:aws:iam::123456789012:role/tw-fn",
        REMEDIATION: '{"a":"apply"}',
        HEC_ENDPOINT: "https://splunk.example.com:8088",
      },
      { partition: "aws", region: "eu-west-1", account: "123456789012" },
    );
    // Assess
    expect(refs.map((r) => [r.variable, r.kind, r.name])).toEqual([
      ["ALERT_TOPIC_ARN", "sns-topic", "tw-alerts"],
      ["IDEMPOTENCY_TABLE", "dynamodb-table", "tw-idempotency"],
      ["REMEDIATOR_FUNCTION", "lambda-function", "tw-remediator"],
      ["CLOUDTRAIL_BUCKETS", "s3-bucket", "logs-a"],
      ["CLOUDTRAIL_BUCKETS", "s3-bucket", "logs-b"],
      ["HEC_DLQ_URL", "sqs-queue", "tw-hec-rejected"],
      ["FUNCTION_ROLE_ARN", "iam-role", "tw-fn"],
    ]);
    expect(refs[1]!.arn).toBe("arn:aws:dynamodb:eu-west-1:123456789012:table/tw-idempotency");
  });

  it("counts a statement for a resource when its pattern matches the resource or something inside it", () => {
    // Prepare
    const statements = [
      { Effect: "Allow", Action: ["s3:GetObject"], Resource: "arn:aws:s3:::logs/AWSLogs/o-1/*" },
      { Effect: "Allow", Action: "sns:Publish", Resource: ["arn:aws:sns:eu-west-1:123456789012:tw-alerts"] },
      { Effect: "Allow", Action: "dynamodb:Query", Resource: "arn:aws:dynamodb:eu-west-1:123456789012:table/tw-base*" },
      { Effect: "Allow", Action: "xray:PutTraceSegments", Resource: "*" },
      { Effect: "Deny", Action: "sns:Publish", Resource: "arn:aws:sns:eu-west-1:123456789012:other" },
    ];
    // Act / Assess
    expect(actionsAllowedOn(statements, "arn:aws:s3:::logs")).toEqual(["s3:GetObject"]);
    expect(actionsAllowedOn(statements, "arn:aws:sns:eu-west-1:123456789012:tw-alerts")).toEqual(["sns:Publish"]);
    expect(actionsAllowedOn(statements, "arn:aws:dynamodb:eu-west-1:123456789012:table/tw-baseline")).toEqual(["dynamodb:Query"]);
    expect(actionsAllowedOn(statements, "arn:aws:sns:eu-west-1:123456789012:other")).toEqual([]);
  });
});

describe("the moto gap proxy", () => {
  let upstream: Server;
  let proxy: MotoGapProxy;
  const seen: { method: string; url: string; target: string; body: string }[] = [];
  const json = (status: number, body: unknown) => ({ status, body: JSON.stringify(body) });
  let answer: (req: IncomingMessage, body: string) => { status: number; body: string } = () => json(200, {});

  beforeAll(async () => {
    upstream = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const body = Buffer.concat(chunks).toString();
        seen.push({ method: req.method!, url: req.url!, target: String(req.headers["x-amz-target"] ?? ""), body });
        const a = answer(req, body);
        res.writeHead(a.status, { "content-type": "application/json" });
        res.end(a.body);
      });
    });
    proxy = await startMotoGapProxy(await listenOnLoopback(upstream));
  });
  afterAll(async () => {
    await proxy.stop();
    await new Promise<void>((r) => upstream.close(() => r()));
  });
  beforeEach(() => (seen.length = 0));

  const call = async (path: string, init: { method?: string; target?: string; body?: unknown } = {}) => {
    const res = await fetch(`${proxy.endpoint}${path}`, {
      method: init.method ?? "POST",
      headers: { "content-type": "application/x-amz-json-1.0", ...(init.target ? { "x-amz-target": init.target } : {}) },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };

  it("forwards what moto implements unchanged", async () => {
    // Prepare
    answer = () => json(200, { Tables: ["t"] });
    // Act
    const res = await call("/", { target: "DynamoDB_20120810.ListTables", body: { Limit: 1 } });
    // Assess
    expect(res).toEqual({ status: 200, body: { Tables: ["t"] } });
    expect(seen).toEqual([{ method: "POST", url: "/", target: "DynamoDB_20120810.ListTables", body: '{"Limit":1}' }]);
  });

  it("validates state machine definitions with asl-validator, so an invalid one fails as in AWS", async () => {
    // Act
    const ok = await call("/", { target: "AWSStepFunctions.ValidateStateMachineDefinition", body: { definition: JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", End: true } } }) } });
    const bad = await call("/", { target: "AWSStepFunctions.ValidateStateMachineDefinition", body: { definition: JSON.stringify({ StartAt: "Missing", States: { A: { Type: "Pass", End: true } } }) } });
    // Assess
    expect(ok.body).toEqual({ result: "OK", diagnostics: [], truncated: false });
    expect(bad.body.result).toBe("FAIL");
    expect(bad.body.diagnostics.length).toBeGreaterThan(0);
    expect(seen).toEqual([]);
  });

  it("answers ListStateMachineVersions with no versions for a state machine moto knows, and moto's error otherwise", async () => {
    // Prepare
    answer = (_req, body) => (body.includes("gone") ? json(400, { __type: "StateMachineDoesNotExist", message: "gone" }) : json(200, { name: "m" }));
    // Act
    const known = await call("/", { target: "AWSStepFunctions.ListStateMachineVersions", body: { stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:m" } });
    const gone = await call("/", { target: "AWSStepFunctions.ListStateMachineVersions", body: { stateMachineArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:gone" } });
    // Assess
    expect(known).toEqual({ status: 200, body: { stateMachineVersions: [] } });
    expect(gone).toEqual({ status: 400, body: { __type: "StateMachineDoesNotExist", message: "gone" } });
    expect(seen.map((s) => s.target)).toEqual(["AWSStepFunctions.DescribeStateMachine", "AWSStepFunctions.DescribeStateMachine"]);
  });

  it("returns a function's LoggingConfig as last set, which moto leaves out", async () => {
    // Prepare
    const logging = { LogFormat: "JSON", LogGroup: "/aws/lambda/fn", ApplicationLogLevel: "INFO", SystemLogLevel: "WARN" };
    answer = (req) => (req.method === "POST" ? json(201, { FunctionName: "fn" }) : json(200, { Configuration: { FunctionName: "fn" }, Code: {} }));
    // Act
    await call("/2015-03-31/functions", { body: { FunctionName: "fn", LoggingConfig: logging } });
    const got = await call("/2015-03-31/functions/fn", { method: "GET" });
    const other = await call("/2015-03-31/functions/other", { method: "GET" });
    // Assess
    expect(got.body.Configuration).toEqual({ FunctionName: "fn", LoggingConfig: logging });
    expect(other.body.Configuration).toEqual({ FunctionName: "fn" });
  });

  it("returns a queue's RedrivePolicy compact, as SQS does", async () => {
    // Prepare
    answer = () => json(200, { Attributes: { RedrivePolicy: '{"deadLetterTargetArn": "arn:aws:sqs:eu-west-1:123456789012:dlq", "maxReceiveCount": 5}', VisibilityTimeout: "30" } });
    // Act
    const res = await call("/", { target: "AmazonSQS.GetQueueAttributes", body: { QueueUrl: "x", AttributeNames: ["All"] } });
    // Assess
    expect(res.body.Attributes).toEqual({ RedrivePolicy: '{"deadLetterTargetArn":"arn:aws:sqs:eu-west-1:123456789012:dlq","maxReceiveCount":5}', VisibilityTimeout: "30" });
  });
});

describe("moto", () => {
  it("is required: without it the lifecycle test fails and says what to install", () => {
    // Act / Assess
    expect(() => assertMotoAvailable("/nonexistent/python3")).toThrow(/needs python3 with moto's server.*pip install "moto\[server\]==5\.2\.1"/);
  });
});
