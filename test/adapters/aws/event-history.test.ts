import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { mockClient, type AwsClientStub } from "aws-sdk-client-mock";
import { CloudTrailEventHistory, EventHistoryError } from "../../../functions/adapters/aws/remediation";
import { LOOKUP_MAX_ATTEMPTS, remediatorEventHistory } from "../../../functions/handlers/remediator/aws-runner";
import { attachAdmin } from "../../handlers/log-analyzer/records";
import { listenOnLoopback } from "../../support/loopback";

/**
 * A local CloudTrail that speaks LookupEvents over its real protocol (JSON 1.1, `X-Amz-Target`):
 * it answers the first `throttle` requests with 400 ThrottlingException, as CloudTrail does past two
 * requests a second, and then the event history it holds.
 */
async function startLocalCloudTrail(events: Record<string, unknown>[]) {
  const requests: { target: string | undefined; body: Record<string, unknown>; at: number }[] = [];
  let throttle = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as { LookupAttributes?: { AttributeKey: string; AttributeValue: string }[] };
      requests.push({ target: req.headers["x-amz-target"] as string | undefined, body, at: Date.now() });
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (throttle > 0) {
        throttle--;
        res.statusCode = 400;
        res.setHeader("x-amzn-errortype", "ThrottlingException");
        res.end(JSON.stringify({ __type: "ThrottlingException", message: "Rate exceeded" }));
        return;
      }
      const id = body.LookupAttributes?.[0]?.AttributeValue;
      const hits = events.filter((e) => e.eventID === id);
      res.end(JSON.stringify({ Events: hits.map((e) => ({ EventId: e.eventID, EventName: e.eventName, EventTime: Date.parse(String(e.eventTime)) / 1000, CloudTrailEvent: JSON.stringify(e) })) }));
    });
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    requests,
    throttleNext: (n: number) => void (throttle = n),
    stop: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe("the remediator's event history (LookupEvents over the wire)", () => {
  const genuine = attachAdmin("mallory");
  let ct: Awaited<ReturnType<typeof startLocalCloudTrail>>;
  const saved = { ...process.env };

  beforeAll(async () => {
    ct = await startLocalCloudTrail([genuine]);
    process.env = { ...saved, AWS_ENDPOINT_URL_CLOUDTRAIL: ct.endpoint, AWS_ACCESS_KEY_ID: "AKIDLOCAL", AWS_SECRET_ACCESS_KEY: "local-secret" };
  });
  afterAll(async () => {
    process.env = saved;
    await ct?.stop();
  });
  beforeEach(() => {
    ct.requests.length = 0;
  });

  it("looks the event up by its id and returns CloudTrail's copy", async () => {
    // Act
    const found = await remediatorEventHistory({ region: "us-east-1" }).find(String(genuine.eventID), "us-east-1");
    const absent = await remediatorEventHistory({ region: "us-east-1" }).find("00000000-0000-4000-8000-999999999999", "us-east-1");
    // Assess
    expect(found).toEqual(genuine);
    expect(absent).toBeUndefined();
    expect(ct.requests.map((r) => [r.target, r.body])).toEqual([
      ["CloudTrail_20131101.LookupEvents", { LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: genuine.eventID }], MaxResults: 50 }],
      ["CloudTrail_20131101.LookupEvents", { LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: "00000000-0000-4000-8000-999999999999" }], MaxResults: 50 }],
    ]);
  });

  it("rides out throttling with the SDK's retries (LookupEvents allows two requests a second per account and region)", async () => {
    // Prepare
    ct.throttleNext(LOOKUP_MAX_ATTEMPTS - 1);
    // Act
    const found = await remediatorEventHistory({ region: "us-east-1" }).find(String(genuine.eventID), "us-east-1");
    // Assess
    expect(found).toEqual(genuine);
    expect(ct.requests).toHaveLength(LOOKUP_MAX_ATTEMPTS);
  });

  it("gives up with the throttling error when it lasts beyond the SDK's attempts (the caller retries the message later)", async () => {
    // Prepare
    ct.throttleNext(100);
    // Act
    const err = await remediatorEventHistory({ region: "us-east-1" })
      .find(String(genuine.eventID), "us-east-1")
      .catch((e: unknown) => e);
    ct.throttleNext(0);
    // Assess
    expect(err).toMatchObject({ name: "ThrottlingException" });
    expect(ct.requests).toHaveLength(LOOKUP_MAX_ATTEMPTS);
  }, 60_000);
});

describe("CloudTrailEventHistory", () => {
  // Mocked only here (from beforeAll): the tests above talk to the local server.
  let cloudTrail: AwsClientStub<CloudTrailClient>;
  const history = () => new CloudTrailEventHistory((region) => new CloudTrailClient({ region, credentials: { accessKeyId: "T", secretAccessKey: "T" } }));
  beforeAll(() => {
    cloudTrail = mockClient(CloudTrailClient);
  });
  afterAll(() => cloudTrail.restore());
  beforeEach(() => cloudTrail.reset());

  it("follows a few pages when the hit is not on the first, and stops after three", async () => {
    // Prepare
    cloudTrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: [], NextToken: "p2" })
      .resolvesOnce({ Events: [{ EventId: "e-1", CloudTrailEvent: JSON.stringify({ eventID: "e-1" }) }] })
      .resolves({ Events: [], NextToken: "more" });
    // Act
    const found = await history().find("e-1", "eu-west-1");
    const never = await history().find("e-2", "eu-west-1");
    // Assess
    expect(found).toEqual({ eventID: "e-1" });
    expect(cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, "p2", undefined, "more", "more"]);
    expect(never).toBeUndefined();
  });

  it("ignores an answer for another event id, and refuses a CloudTrailEvent that is missing, not JSON or not an object", async () => {
    cloudTrail
      .on(LookupEventsCommand)
      .resolvesOnce({ Events: [{ EventId: "other", CloudTrailEvent: "{}" }] })
      .resolvesOnce({ Events: [{ EventId: "e-1" }] })
      .resolvesOnce({ Events: [{ EventId: "e-1", CloudTrailEvent: "{not json" }] })
      .resolvesOnce({ Events: [{ EventId: "e-1", CloudTrailEvent: "[1]" }] });

    const other = await history().find("e-1", "eu-west-1");
    const errors = await Promise.all([1, 2, 3].map(() => history().find("e-1", "eu-west-1").catch((e: unknown) => e)));

    expect(other).toBeUndefined();
    expect(errors.every((e) => e instanceof EventHistoryError)).toBe(true);
    expect(errors.map((e) => (e as Error).message)).toEqual([
      "LookupEvents returned event e-1 without its CloudTrailEvent record",
      expect.stringMatching(/^LookupEvents returned a CloudTrailEvent for event e-1 that is not JSON/),
      "LookupEvents returned a CloudTrailEvent for event e-1 that is not a JSON object",
    ]);
  });
});
