import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Platform } from "../../../modules/platform";
import { BundleNotBuiltError, NodeFunction, buildBundles, bundleHandler, type NodeFunctionProps } from "../../../modules/lambda-function";
import { unzipSync } from "fflate";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";

const ENTRY = "test/fixtures/handlers/echo.ts";

beforeAll(async () => {
  // What npm run synth does before the (synchronous) constructs run; jest's global setup does it for the stack's handlers.
  await buildBundles([ENTRY]);
  await buildBundles([ENTRY], { sourcemap: true });
});

/** Synthesizes one NodeFunction (plus whatever `extra` adds) on a fresh stack and returns the Terraform JSON. */
function synth(props: Partial<NodeFunctionProps> = {}, extra?: (stack: TerraformStack) => void): any {
  return JSON.parse(
    Testing.synthScope((stack) => {
      new AwsProvider(stack, "aws", { region: "eu-west-1" });
      new Platform(stack, "platform", { namePrefix: "tw", account: "111122223333", region: "eu-west-1", logRetentionDays: 90 });
      new NodeFunction(stack, "fn", { entry: ENTRY, name: "echo", description: "Echoes", statements: [], ...props });
      extra?.(stack as TerraformStack);
    }),
  );
}
const only = <T>(o: Record<string, T> | undefined): T => {
  const v = Object.values(o ?? {});
  if (v.length !== 1) throw new Error(`expected exactly one, got ${v.length}`);
  return v[0]!;
};

describe("NodeFunction", () => {
  it("deploys nodejs22.x on arm64 with the bundled handler and a content hash that matches the zip", () => {
    // Act
    const tf = synth();
    // Assess
    const fn = only<any>(tf.resource.aws_lambda_function);
    expect(fn).toMatchObject({ function_name: "tw-echo", runtime: "nodejs22.x", architectures: ["arm64"], handler: "index.handler", timeout: 60, memory_size: 512 });
    const bundle = bundleHandler(ENTRY);
    expect(fn.source_code_hash).toBe(bundle.sha256Base64);
    expect(fn.filename).toMatch(/^assets\/.+\/echo\.zip$/);
  });

  it("zips a minified CommonJS index.js that exports the handler and carries the SDK inside", () => {
    // Act
    const bundle = bundleHandler(ENTRY);
    const files = unzipSync(readFileSync(bundle.zipPath));
    // Assess
    expect(Object.keys(files)).toEqual(["index.js"]);
    const js = Buffer.from(files["index.js"]!).toString("utf8");
    const required = [...new Set([...js.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))];
    const external = required.filter((m) => !m.startsWith("node:") && !builtinModules.includes(m));
    // Nothing outside the bundle but Node built-ins (the optional CRT signer came in with the default credential chain, now swapped out).
    expect(external).toEqual([]);
    const mod: { exports: { handler?: unknown } } = { exports: {} };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- runs the built bundle the way Lambda's CommonJS loader does
    new Function("module", "exports", "require", js)(mod, mod.exports, require);
    expect(typeof mod.exports.handler).toBe("function");
  });

  it("reuses the last build while none of the handler's files changed, and builds again when one did", async () => {
    // Prepare: a handler of its own, outside the repository (an absolute entry).
    const dir = mkdtempSync(join(tmpdir(), "tw-bundle-"));
    const entry = join(dir, "handler.ts");
    writeFileSync(entry, 'export const handler = async () => "first";\n');
    try {
      // Act
      const [first] = await buildBundles([entry]);
      const [again] = await buildBundles([entry]);
      const read = bundleHandler(entry);
      writeFileSync(entry, 'export const handler = async () => "second";\n');
      const stale = (() => {
        try {
          return bundleHandler(entry);
        } catch (e) {
          return e;
        }
      })();
      const [rebuilt] = await buildBundles([entry]);
      // Assess
      expect(again).toEqual(first);
      expect(read).toEqual(first);
      expect(stale).toBeInstanceOf(BundleNotBuiltError);
      expect((stale as Error).message).toMatch(/is not bundled, or its code changed since: build it before synth with buildBundles\(\)/);
      expect(rebuilt!.sha256Base64).not.toBe(first!.sha256Base64);
      expect(bundleHandler(entry)).toEqual(rebuilt);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("sets Powertools' service name and metrics namespace, its own role's ARN, and source maps only when asked", () => {
    // Act
    const plainTf = synth({ environment: { TABLE: "t", FUNCTION_ROLE_ARN: "not-this" } });
    const plain = only<any>(plainTf.resource.aws_lambda_function);
    const mapped = only<any>(synth({ sourcemap: true }).resource.aws_lambda_function);
    // Assess
    const roleId = Object.keys(plainTf.resource.aws_iam_role)[0];
    expect(plain.environment.variables).toEqual({ POWERTOOLS_SERVICE_NAME: "echo", POWERTOOLS_METRICS_NAMESPACE: "trailwatch", TABLE: "t", FUNCTION_ROLE_ARN: `\${aws_iam_role.${roleId}.arn}` });
    expect(mapped.environment.variables.NODE_OPTIONS).toBe("--enable-source-maps");
    expect(mapped.source_code_hash).not.toBe(plain.source_code_hash);
  });

  it("trusts only the Lambda service acting for this account", () => {
    // Act
    const tf = synth();
    // Assess
    const trust = Object.entries<any>(tf.data.aws_iam_policy_document).find(([k]) => k.includes("trust"))![1];
    expect(trust.statement).toEqual([
      {
        actions: ["sts:AssumeRole"],
        condition: [{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111122223333"] }],
        effect: "Allow",
        principals: [{ identifiers: ["lambda.amazonaws.com"], type: "Service" }],
      },
    ]);
  });

  it("grants the given statements plus writing its own log group and sending to its own DLQ, nothing else", () => {
    // Prepare
    const readTable = { sid: "ReadTable", actions: ["dynamodb:GetItem"], resources: ["arn:aws:dynamodb:eu-west-1:111122223333:table/t"] };
    // Act
    const tf = synth({ statements: [readTable] });
    // Assess
    const doc = Object.entries<any>(tf.data.aws_iam_policy_document).find(([k]) => k.includes("permissions"))![1];
    const bySid = Object.fromEntries(doc.statement.map((s: any) => [s.sid, s]));
    expect(Object.keys(bySid).sort()).toEqual(["EncryptForOwnDlq", "ReadTable", "SendFailedEventsToOwnDlq", "WriteOwnLogGroup"]);
    expect(bySid.WriteOwnLogGroup).toMatchObject({ actions: ["logs:CreateLogStream", "logs:PutLogEvents"], resources: ["arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/tw-echo:*"] });
    expect(bySid.SendFailedEventsToOwnDlq.resources).toEqual([expect.stringMatching(/^\$\{aws_sqs_queue\.fn_dlq_\w+\.arn\}$/)]);
    expect(bySid.EncryptForOwnDlq.resources).toEqual([expect.stringMatching(/^\$\{aws_kms_key\.platform_key_\w+\.arn\}$/)]);
    expect(bySid.ReadTable).toMatchObject({ actions: ["dynamodb:GetItem"], resources: readTable.resources });
  });

  it("creates an encrypted log group with the platform retention before the function", () => {
    // Act
    const tf = synth();
    // Assess
    const [lgKey, lg] = Object.entries<any>(tf.resource.aws_cloudwatch_log_group)[0]!;
    expect(lg).toMatchObject({ name: "/aws/lambda/tw-echo", retention_in_days: 90, kms_key_id: expect.stringContaining("aws_kms_key.platform_key") });
    const fn = only<any>(tf.resource.aws_lambda_function);
    expect(fn.depends_on).toContain(`aws_cloudwatch_log_group.${lgKey}`);
    expect(fn.logging_config.log_group).toBe(`\${aws_cloudwatch_log_group.${lgKey}.name}`);
  });

  it("sends failed asynchronous invocations to an encrypted DLQ after two retries", () => {
    // Act
    const tf = synth();
    // Assess
    const [dlqKey, dlq] = Object.entries<any>(tf.resource.aws_sqs_queue)[0]!;
    expect(dlq).toMatchObject({ name: "tw-echo-dlq", kms_master_key_id: expect.stringContaining("aws_kms_key"), message_retention_seconds: 1209600 });
    expect(only<any>(tf.resource.aws_lambda_function_event_invoke_config)).toMatchObject({
      maximum_retry_attempts: 2,
      maximum_event_age_in_seconds: 3600,
      destination_config: { on_failure: { destination: `\${aws_sqs_queue.${dlqKey}.arn}` } },
    });
  });

  it("creates no DLQ for a function invoked synchronously or by an event source mapping", () => {
    // Act
    const tf = synth({ invokedAsynchronously: false });
    // Assess
    expect(tf.resource.aws_sqs_queue).toBeUndefined();
    expect(tf.resource.aws_lambda_function_event_invoke_config).toBeUndefined();
  });

  it("passes reserved concurrency and X-Ray tracing through, granting X-Ray only when tracing", () => {
    // Act
    const tf = synth({ reservedConcurrency: 5, tracing: true, timeoutSeconds: 300, memoryMb: 1024 });
    // Assess
    const fn = only<any>(tf.resource.aws_lambda_function);
    expect(fn).toMatchObject({ reserved_concurrent_executions: 5, tracing_config: { mode: "Active" }, timeout: 300, memory_size: 1024 });
    const doc = Object.entries<any>(tf.data.aws_iam_policy_document).find(([k]) => k.includes("permissions"))![1];
    expect(doc.statement.find((s: any) => s.sid === "WriteXrayTraces").actions).toEqual(["xray:PutTraceSegments", "xray:PutTelemetryRecords"]);
  });

  it("deploys into another region with that region's key and a region-suffixed role name", () => {
    // Act
    const tf = synth({}, (stack) => {
      const west = new AwsProvider(stack, "us-west-2", { region: "us-west-2", alias: "us-west-2" });
      new NodeFunction(stack, "fn-west", { entry: ENTRY, name: "echo", description: "Echoes", statements: [], provider: west });
    });
    // Assess
    const roles = Object.values<any>(tf.resource.aws_iam_role).map((r) => r.name).sort();
    expect(roles).toEqual(["tw-echo", "tw-echo-us-west-2"]);
    const aliases = Object.values<any>(tf.resource.aws_kms_alias).map((a) => a.name).sort();
    expect(aliases).toEqual(["alias/tw", "alias/tw-us-west-2"]);
    const westFn = Object.values<any>(tf.resource.aws_lambda_function).find((f) => f.provider === "aws.us-west-2");
    expect(westFn).toBeDefined();
  });

  it("says which handler is missing and how to name it", () => {
    // Act / Assess
    expect(() => synth({ entry: "functions/handlers/nope.ts" })).toThrow(/Lambda handler "functions\/handlers\/nope.ts" not found .*relative to the repository root/);
  });

  it("reports esbuild errors with file and line", async () => {
    // Act / Assess
    await expect(buildBundles(["test/fixtures/handlers/unresolvable.ts"])).rejects.toThrow(
      /esbuild could not bundle Lambda handler "test\/fixtures\/handlers\/unresolvable.ts":\n  test\/fixtures\/handlers\/unresolvable.ts:3:\d+: Could not resolve "\.\/no-such-module"/,
    );
  });

  it("rejects statements without actions or resources", () => {
    // Act / Assess
    expect(() => synth({ statements: [{ sid: "Empty", actions: ["s3:GetObject"], resources: [] }] })).toThrow(/statement Empty needs at least one action and one resource/);
  });
});
