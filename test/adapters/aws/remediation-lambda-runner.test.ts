import { createServer, type Server } from "node:http";
import { InvokeCommand, LambdaClient, LambdaServiceException, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { LambdaRemediationRunner, RemediationTransientError, type RemediationResponse } from "../../../functions/adapters/aws/remediation";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { clientSettings } from "../../../functions/adapters/aws/client-settings";
import { stopLogging } from "../../handlers/log-analyzer/records";
import { listenOnLoopback } from "../../support/loopback";
import { findingFor, logSource } from "./remediation-fixtures";

const FUNCTION = "tw-remediator";
const SOURCE = logSource();
const SUCCEEDED = { action: "cloudtrail.start-logging", mode: "apply", status: "succeeded", detail: "started logging on trail org-trail in us-east-1" } as const;
const credentials = { accessKeyId: "T", secretAccessKey: "T" };

/** Lambda's answer to a synchronous invoke whose function returned `value`. */
function answered(value: unknown, extra: Partial<InvokeCommandOutput> = {}): Partial<InvokeCommandOutput> {
  return { StatusCode: 200, ExecutedVersion: "$LATEST", Payload: new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)) as InvokeCommandOutput["Payload"], ...extra };
}

/** A Lambda service error as the SDK throws it. */
function serviceError(name: string, status: number, message: string): LambdaServiceException {
  return new LambdaServiceException({ name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status }, message });
}

describe("LambdaRemediationRunner (Lambda Invoke mocked: no local Lambda exists)", () => {
  const lambda = mockClient(LambdaClient);
  afterAll(() => lambda.restore());
  beforeEach(() => {
    lambda.reset();
    lambda.on(InvokeCommand).resolves(answered(SUCCEEDED));
  });

  function runner(mode: RemediationMode | null = "apply", functionName = FUNCTION) {
    return new LambdaRemediationRunner({ lambda: new LambdaClient({ region: "us-east-1", credentials }), functionName, modes: mode ? { "test.remediable": mode } : {} });
  }
  /** The events the remediator was invoked with. */
  const events = () => lambda.commandCalls(InvokeCommand).map((c) => JSON.parse(new TextDecoder().decode(c.args[0].input.Payload as Uint8Array)) as unknown);

  it("does not invoke the remediator for a rule whose remediation is off", async () => {
    // Act
    const res = await runner(null).run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true });
    // Assess
    expect(res).toBeNull();
    expect(lambda.calls()).toHaveLength(0);
  });

  it("invokes the remediator synchronously with the rule id, the record and the retry wish, and returns its result", async () => {
    // Prepare
    const rec = stopLogging();
    // Act
    const res = await runner().run(findingFor(rec, "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true });
    // Assess
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(res).toEqual(SUCCEEDED);
    expect([input.FunctionName, input.InvocationType]).toEqual([FUNCTION, "RequestResponse"]);
    expect(events()).toEqual([{ ruleId: "test.remediable", record: rec, source: SOURCE, retryTransient: true }]);
  });

  it("passes the remediator's checks on (verification, refusal, what it found and did), cutting over-long texts", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answered({ ...SUCCEEDED, checks: { verifiedBy: "lookup-events", found: "x".repeat(5000), done: "started logging" } }));
    // Act
    const res = await runner().run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    // Assess
    expect(res?.checks).toEqual({ verifiedBy: "lookup-events", found: `${"x".repeat(499)}…`, done: "started logging" });
  });

  it("addresses the function by the name or ARN it was given", async () => {
    // Prepare
    const arn = `arn:aws:lambda:us-east-1:111122223333:function:${FUNCTION}:live`;
    // Act
    const res = await runner("apply", arn).run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    // Assess
    expect(res).toEqual(SUCCEEDED);
    expect(lambda.commandCalls(InvokeCommand)[0]!.args[0].input.FunctionName).toBe(arn);
  });

  it("passes on null when the remediator answers that the remediation is off there", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answered(null));
    // Act
    const res = await runner("dry-run").run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    // Assess
    expect(res).toBeNull();
  });

  it("throws a transient answer as RemediationTransientError while retries are wanted, then reports it as failed", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    const transient: RemediationResponse = { transient: true, message: "cloudtrail:StartLogging failed: ThrottlingException: Rate exceeded" };
    lambda.on(InvokeCommand).resolves(answered(transient));
    // Act
    const retried = await runner().run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const last = await runner().run(f, { source: SOURCE, retryTransient: false });
    // Assess
    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect((retried as Error).message).toMatch(/ThrottlingException/);
    expect(last).toEqual({ action: "cloudtrail.start-logging", mode: "apply", status: "failed", detail: expect.stringMatching(/ThrottlingException: Rate exceeded \(gave up retrying\)$/) });
  });

  it("reports a crash of the remediator (FunctionError Unhandled) as a failed remediation with its error, without throwing", async () => {
    // Prepare
    const crash = { errorType: "RemediationRequestError", errorMessage: "remediator: bad request: record: expected record", trace: [] };
    lambda.on(InvokeCommand).resolves(answered(crash, { FunctionError: "Unhandled" }));
    // Act
    const res = await runner().run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true });
    // Assess
    expect(res).toEqual({
      action: "cloudtrail.start-logging",
      mode: "apply",
      status: "failed",
      detail: `remediator ${FUNCTION} failed (Unhandled): RemediationRequestError: remediator: bad request: record: expected record`,
    });
  });

  it("reports a denied invoke (403 AccessDeniedException) as failed, and a throttled one (429) as transient while retries are wanted", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    lambda.on(InvokeCommand).rejectsOnce(serviceError("AccessDeniedException", 403, "not authorized to perform: lambda:InvokeFunction"));
    // Act
    const denied = await runner().run(f, { source: SOURCE, retryTransient: true });
    lambda.on(InvokeCommand).rejects(serviceError("TooManyRequestsException", 429, "Rate Exceeded."));
    const throttled = await runner().run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const gaveUp = await runner().run(f, { source: SOURCE, retryTransient: false });
    // Assess
    expect(denied).toMatchObject({ status: "failed", detail: `invoking remediator ${FUNCTION} failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction` });
    expect(throttled).toBeInstanceOf(RemediationTransientError);
    expect((throttled as Error).message).toBe(`invoking remediator ${FUNCTION} failed: TooManyRequestsException: Rate Exceeded.`);
    expect(gaveUp).toMatchObject({ status: "failed", detail: expect.stringMatching(/TooManyRequestsException: Rate Exceeded\. \(gave up retrying\)$/) });
  });

  it("reports an answer it cannot read as failed, naming what came back", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    lambda.on(InvokeCommand).resolvesOnce(answered("not json")).resolvesOnce(answered({ status: "done" }));
    // Act
    const garbled = await runner().run(f, { source: SOURCE });
    const odd = await runner().run(f, { source: SOURCE });
    // Assess
    expect(garbled).toMatchObject({ status: "failed", detail: expect.stringMatching(/other than JSON: not json/) });
    expect(odd).toMatchObject({ status: "failed", detail: expect.stringMatching(/unexpected shape: \{"status":"done"\}/) });
  });
});

describe("LambdaRemediationRunner with a real Lambda client and the functions' settings", () => {
  let server: Server;
  let endpoint: string;
  let requests = 0;
  beforeAll(async () => {
    // Accepts invokes and never answers: a remediator that hangs.
    server = createServer(() => void requests++);
    endpoint = await listenOnLoopback(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });

  it("gives up on a remediator that does not answer within the request timeout, after the client's attempts, as a transient failure", async () => {
    // Prepare: the log analyzer's settings (two attempts), with a short timeout for the test.
    const s = clientSettings({ region: "us-east-1", maxAttempts: 2 });
    const client = new LambdaClient({ ...s, requestHandler: { ...s.requestHandler, requestTimeout: 300 }, endpoint, credentials });
    const runner = new LambdaRemediationRunner({ lambda: client, functionName: FUNCTION, modes: { "test.remediable": "apply" } });
    // Act
    const res = await runner.run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    client.destroy();
    // Assess
    expect(res).toBeInstanceOf(RemediationTransientError);
    expect((res as Error).message).toMatch(/^invoking remediator tw-remediator failed: TimeoutError: /);
    expect(requests).toBe(2);
  });
});
