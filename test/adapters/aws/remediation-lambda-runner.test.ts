import { LambdaHttpClient, type LambdaHttpOptions } from "../../../functions/adapters/aws/lambda-http";
import { LambdaRemediationRunner, RemediationTransientError, type RemediationResponse } from "../../../functions/adapters/aws/remediation";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { RawPayload, startLambdaServer, type LocalLambda } from "../../support/lambda-server";
import { stopLogging } from "../../handlers/log-analyzer/records";
import { findingFor, logSource } from "./remediation-fixtures";

const FUNCTION = "tw-remediator";
const SOURCE = logSource();
const SUCCEEDED = { action: "cloudtrail.start-logging", mode: "apply", status: "succeeded", detail: "started logging on trail org-trail in us-east-1" } as const;

describe("LambdaRemediationRunner against a local Lambda (signatures checked)", () => {
  let lambda: LocalLambda;
  /** What the remediator function answers next (its events are recorded in `events`). */
  let answer: (event: unknown) => unknown;
  let events: unknown[];
  const clients: LambdaHttpClient[] = [];

  beforeAll(async () => {
    lambda = await startLambdaServer({
      functions: {
        [FUNCTION]: (event) => {
          events.push(event);
          return answer(event);
        },
      },
    });
  });
  beforeEach(() => {
    events = [];
    answer = () => SUCCEEDED;
  });
  afterEach(() => {
    // Every request the runner sent carried a valid SigV4 signature for lambda in us-east-1.
    expect(lambda.requests.filter((r) => r.signatureProblem).map((r) => r.signatureProblem)).toEqual([]);
  });
  afterAll(async () => {
    clients.forEach((c) => c.destroy());
    await lambda?.stop();
  });

  function client(opts: Partial<LambdaHttpOptions> = {}): LambdaHttpClient {
    const c = new LambdaHttpClient({ region: lambda.region, endpoint: lambda.endpoint, credentials: lambda.credentials, ...opts });
    clients.push(c);
    return c;
  }
  function runner(mode: RemediationMode | null = "apply", opts: Partial<LambdaHttpOptions> = {}, functionName = FUNCTION) {
    return new LambdaRemediationRunner({ lambda: client(opts), functionName, modes: mode ? { "test.remediable": mode } : {} });
  }
  const sent = () => lambda.requests.length;

  it("does not invoke the remediator for a rule whose remediation is off", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    const before = sent();
    // Act
    const res = await runner(null).run(f, { source: SOURCE, retryTransient: true });
    // Assess
    expect(res).toBeNull();
    expect(sent()).toBe(before);
  });

  it("invokes the remediator synchronously with the rule id, the record and the retry wish, and returns its result", async () => {
    // Prepare
    const rec = stopLogging();
    // Act
    const res = await runner().run(findingFor(rec, "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true });
    // Assess
    const req = lambda.requests.at(-1)!;
    expect(res).toEqual(SUCCEEDED);
    expect(events).toEqual([{ ruleId: "test.remediable", record: rec, source: SOURCE, retryTransient: true }]);
    expect([req.method, req.url, req.headers["x-amz-invocation-type"]]).toEqual(["POST", `/2015-03-31/functions/${FUNCTION}/invocations`, "RequestResponse"]);
  });

  it("passes the remediator's checks on (verification, refusal, what it found and did), cutting over-long texts", async () => {
    // Prepare
    answer = () => ({ ...SUCCEEDED, checks: { verifiedBy: "lookup-events", found: "x".repeat(5000), done: "started logging" } });
    // Act
    const res = await runner().run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    // Assess
    expect(res?.checks).toEqual({ verifiedBy: "lookup-events", found: `${"x".repeat(499)}…`, done: "started logging" });
  });

  it("addresses a function by ARN with a qualifier, encoded in the path and signed so", async () => {
    // Prepare
    const arn = `arn:aws:lambda:us-east-1:111122223333:function:${FUNCTION}:live`;
    // Act
    const res = await runner("apply", {}, arn).run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    // Assess
    expect(res).toEqual(SUCCEEDED);
    expect(lambda.requests.at(-1)!.url).toBe(`/2015-03-31/functions/${encodeURIComponent(arn)}/invocations`);
  });

  it("passes on null when the remediator answers that the remediation is off there", async () => {
    // Prepare
    answer = () => null;
    // Act
    const res = await runner("dry-run").run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    // Assess
    expect(res).toBeNull();
  });

  it("throws a transient answer as RemediationTransientError while retries are wanted, then reports it as failed", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    answer = (): RemediationResponse => ({ transient: true, message: "cloudtrail:StartLogging failed: ThrottlingException: Rate exceeded" });
    // Act
    const retried = await runner().run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const last = await runner().run(f, { source: SOURCE, retryTransient: false });
    // Assess
    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect((retried as Error).message).toMatch(/ThrottlingException/);
    expect(last).toEqual({ action: "cloudtrail.start-logging", mode: "apply", status: "failed", detail: expect.stringMatching(/ThrottlingException: Rate exceeded \(gave up retrying\)$/) });
  });

  it("reports a crash of the remediator (X-Amz-Function-Error: Unhandled) as a failed remediation with its error, without throwing", async () => {
    // Prepare
    answer = () => {
      throw Object.assign(new Error("remediator: bad request: record: expected record"), { name: "RemediationRequestError" });
    };
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

  it("retries a throttled (429 TooManyRequestsException) and a failed (500 ServiceException) invoke inside the call, then returns the answer", async () => {
    // Prepare
    lambda.failNext(1, { status: 429, type: "TooManyRequestsException", message: "Rate Exceeded." });
    lambda.failNext(1, { status: 500, type: "ServiceException", message: "Lambda was unable to process the request." });
    const before = sent();
    // Act
    const res = await runner().run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true });
    // Assess
    expect(res).toEqual(SUCCEEDED);
    expect(lambda.requests.slice(before).map((r) => r.status)).toEqual([429, 500, 200]);
  });

  it("reports a denied invoke (403 AccessDeniedException) as failed without retrying, and a throttled one that stays throttled as transient", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    lambda.failNext(1, { status: 403, type: "AccessDeniedException", message: "not authorized to perform: lambda:InvokeFunction" });
    const before = sent();
    // Act
    const denied = await runner().run(f, { source: SOURCE, retryTransient: true });
    const deniedRequests = sent() - before;
    lambda.failNext(2, { status: 429, type: "TooManyRequestsException", message: "Rate Exceeded." });
    const throttled = await runner("apply", { maxAttempts: 2 }).run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    // Assess
    expect(denied).toMatchObject({ status: "failed", detail: `invoking remediator ${FUNCTION} failed: AccessDeniedException: not authorized to perform: lambda:InvokeFunction` });
    expect(deniedRequests).toBe(1);
    expect(throttled).toBeInstanceOf(RemediationTransientError);
    expect((throttled as Error).message).toBe(`invoking remediator ${FUNCTION} failed: TooManyRequestsException: Rate Exceeded.`);
  });

  it("gives up on a remediator that does not answer within the request timeout, as a transient failure", async () => {
    // Prepare
    lambda.failNext(2, "hang");
    const before = sent();
    // Act
    const res = await runner("apply", { maxAttempts: 2, requestHandler: { connectionTimeout: 1_000, requestTimeout: 300 } })
      .run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE, retryTransient: true })
      .catch((e: unknown) => e);
    // Assess
    expect(res).toBeInstanceOf(RemediationTransientError);
    expect((res as Error).message).toMatch(/^invoking remediator tw-remediator failed: TimeoutError: .*300 ms/);
    expect(sent() - before).toBe(2);
  });

  it("reports an answer it cannot read as failed, naming what came back", async () => {
    // Prepare
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");
    answer = () => new RawPayload("not json");
    // Act
    const garbled = await runner().run(f, { source: SOURCE });
    answer = () => ({ status: "done" });
    const odd = await runner().run(f, { source: SOURCE });
    // Assess
    expect(garbled).toMatchObject({ status: "failed", detail: expect.stringMatching(/other than JSON: not json/) });
    expect(odd).toMatchObject({ status: "failed", detail: expect.stringMatching(/unexpected shape: \{"status":"done"\}/) });
  });

  it("fails the test server's check when a request is signed for another region (the verifier is not a rubber stamp)", async () => {
    // Prepare
    const wrongRegion = runner("apply", { region: "eu-west-1" });
    // Act
    const res = await wrongRegion.run(findingFor(stopLogging(), "cloudtrail.start-logging"), { source: SOURCE });
    const problem = lambda.requests.at(-1)!.signatureProblem;
    lambda.requests.at(-1)!.signatureProblem = undefined; // expected here; keep afterEach's check for the others
    // Assess
    expect(res).toMatchObject({ status: "failed", detail: expect.stringMatching(/InvalidSignatureException/) });
    expect(problem).toMatch(/scope eu-west-1\/lambda, expected us-east-1\/lambda/);
  });
});
