import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { LambdaRemediationRunner, RemediationTransientError, type RemediationResponse } from "../../../functions/adapters/aws/remediation";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { stopLogging } from "../../handlers/log-analyzer/records";
import { awsError, findingFor } from "./remediation-fixtures";

const lambda = mockClient(LambdaClient);
const FUNCTION = "tw-remediator";

beforeEach(() => lambda.reset());

function runner(mode: RemediationMode | null = "apply") {
  return new LambdaRemediationRunner({
    lambda: new LambdaClient({ region: "us-east-1", credentials: { accessKeyId: "TEST", secretAccessKey: "TEST" } }),
    functionName: FUNCTION,
    modes: mode ? { "test.remediable": mode } : {},
  });
}

/** What the remediator function answers, as Lambda returns it. */
const answer = (body: RemediationResponse | unknown, functionError?: string) => ({
  StatusCode: 200,
  Payload: new TextEncoder().encode(typeof body === "string" ? body : JSON.stringify(body)) as never,
  ...(functionError ? { FunctionError: functionError } : {}),
});

const SUCCEEDED = { action: "cloudtrail.start-logging", mode: "apply", status: "succeeded", detail: "started logging on trail org-trail in us-east-1" } as const;

describe("LambdaRemediationRunner", () => {
  it("does not invoke the remediator for a rule whose remediation is off", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    // Act
    const res = await runner(null).run(f, { retryTransient: true });
    // Assess
    expect(res).toBeNull();
    expect(lambda.calls()).toHaveLength(0);
  });

  it("invokes the remediator synchronously with the rule id, the record and the retry wish, and returns its result", async () => {
    // Prepare
    const rec = stopLogging();
    lambda.on(InvokeCommand).resolves(answer(SUCCEEDED));
    // Act
    const res = await runner().run(findingFor(rec, "cloudtrail.start-logging"), { retryTransient: true });
    // Assess
    expect(res).toEqual(SUCCEEDED);
    const input = lambda.commandCalls(InvokeCommand)[0]!.args[0].input;
    expect(input).toMatchObject({ FunctionName: FUNCTION, InvocationType: "RequestResponse" });
    expect(JSON.parse(new TextDecoder().decode(input.Payload as Uint8Array))).toEqual({ ruleId: "test.remediable", record: rec, retryTransient: true });
  });

  it("passes on null when the remediator answers that the remediation is off there", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answer(null));
    // Act
    const res = await runner("dry-run").run(findingFor(stopLogging(), "cloudtrail.start-logging"));
    // Assess
    expect(res).toBeNull();
  });

  it("throws a transient answer as RemediationTransientError while retries are wanted, then reports it as failed", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    lambda.on(InvokeCommand).resolves(answer({ transient: true, message: "cloudtrail:StartLogging failed: ThrottlingException: Rate exceeded" }));
    // Act
    const retried = await runner().run(f, { retryTransient: true }).catch((e: unknown) => e);
    const last = await runner().run(f, { retryTransient: false });
    // Assess
    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect((retried as Error).message).toMatch(/ThrottlingException/);
    expect(last).toEqual({ action: "cloudtrail.start-logging", mode: "apply", status: "failed", detail: expect.stringMatching(/ThrottlingException: Rate exceeded \(gave up retrying\)$/) });
  });

  it("reports a crash of the remediator (FunctionError) as a failed remediation with its error, without throwing", async () => {
    // Prepare
    lambda.on(InvokeCommand).resolves(answer({ errorType: "RemediationRequestError", errorMessage: "remediator: bad request: record: expected record" }, "Unhandled"));
    // Act
    const res = await runner().run(findingFor(stopLogging(), "cloudtrail.start-logging"), { retryTransient: true });
    // Assess
    expect(res).toEqual({
      action: "cloudtrail.start-logging",
      mode: "apply",
      status: "failed",
      detail: `remediator ${FUNCTION} failed (Unhandled): RemediationRequestError: remediator: bad request: record: expected record`,
    });
  });

  it("reports a denied invoke as failed and a throttled one as transient", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    lambda
      .on(InvokeCommand)
      .rejectsOnce(awsError("AccessDeniedException", 403, "not authorized to perform: lambda:InvokeFunction"))
      .rejectsOnce(awsError("TooManyRequestsException", 429, "Rate exceeded"));
    // Act
    const denied = await runner().run(f, { retryTransient: true });
    const throttled = await runner().run(f, { retryTransient: true }).catch((e: unknown) => e);
    // Assess
    expect(denied).toMatchObject({ status: "failed", detail: `invoking remediator ${FUNCTION} failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction` });
    expect(throttled).toBeInstanceOf(RemediationTransientError);
  });

  it("reports an answer it cannot read as failed, naming what came back", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    lambda.on(InvokeCommand).resolvesOnce(answer("not json")).resolvesOnce(answer({ status: "done" }));
    // Act
    const garbled = await runner().run(f);
    const odd = await runner().run(f);
    // Assess
    expect(garbled).toMatchObject({ status: "failed", detail: expect.stringMatching(/other than JSON: not json/) });
    expect(odd).toMatchObject({ status: "failed", detail: expect.stringMatching(/unexpected shape: \{"status":"done"\}/) });
  });
});
