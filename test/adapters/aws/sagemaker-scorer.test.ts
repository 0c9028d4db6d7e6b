import { InvokeEndpointCommand, SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { mockClient } from "aws-sdk-client-mock";
import { parseScoresResponse, SageMakerScorer } from "../../../functions/adapters/aws/sagemaker-scorer";
import { TransientError } from "../../../functions/adapters/aws/transient-error";
import { ScorerOutputError, type PairCount } from "../../../functions/core/scoring";

const pairs: PairCount[] = Array.from({ length: 7 }, (_, i) => ({
  principal: `arn:aws:iam::111122223333:user/u${i}`, principalType: "IAMUser", eventSource: "s3.amazonaws.com",
  eventName: i === 3 ? 'Odd,"Name"' : "GetObject", count: i + 1, firstSeen: "", lastSeen: "", firstEventId: "",
}));
const bodyText = (call: { args: [InvokeEndpointCommand] }) => new TextDecoder().decode(call.args[0].input.Body as Uint8Array);
/** An endpoint that scores each row as count / 10, answering in the given style. */
function endpoint(style: "array" | "predictions" | "csv") {
  return (input: { Body: Uint8Array }) => {
    const rows = new TextDecoder().decode(input.Body).trim().split("\n");
    const scores = rows.map((r) => Number(r.split(",").at(-1)) / 10);
    const body = style === "array" ? JSON.stringify(scores) : style === "predictions" ? JSON.stringify({ predictions: scores.map((score) => ({ score })) }) : scores.join("\n");
    return { Body: new TextEncoder().encode(body) as never, ContentType: style === "csv" ? "text/csv" : "application/json" };
  };
}

describe("the SageMaker scorer", () => {
  const client = new SageMakerRuntimeClient({ region: "us-east-1" });
  const sm = mockClient(client);
  beforeEach(() => sm.reset());

  it("sends text/csv rows without a header, in batches, to the configured endpoint", async () => {
    sm.on(InvokeEndpointCommand).callsFake(endpoint("array"));
    const scorer = new SageMakerScorer(client, { endpointName: "activity-model", maxRowsPerRequest: 3 });

    const scores = await scorer.score(pairs);

    const calls = sm.commandCalls(InvokeEndpointCommand);
    expect(calls).toHaveLength(3);
    for (const c of calls) expect(c.args[0].input).toMatchObject({ EndpointName: "activity-model", ContentType: "text/csv", Accept: "application/json" });
    expect(calls.map((c) => bodyText(c).trim().split("\n").length)).toEqual([3, 3, 1]);
    expect(bodyText(calls[0]!)).toBe("arn:aws:iam::111122223333:user/u0,GetObject,1\narn:aws:iam::111122223333:user/u1,GetObject,2\narn:aws:iam::111122223333:user/u2,GetObject,3\n");
    expect(bodyText(calls[1]!)).toContain('arn:aws:iam::111122223333:user/u3,"Odd,""Name""",4\n');
    expect(scores.map((s) => s.score)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7]);
    expect(scorer.name).toBe("sagemaker:activity-model");
  });

  it("keeps each request under the byte limit", async () => {
    sm.on(InvokeEndpointCommand).callsFake(endpoint("array"));
    const scorer = new SageMakerScorer(client, { endpointName: "m", maxRowsPerRequest: 100, maxBytesPerRequest: 100 });
    await scorer.score(pairs);
    const sizes = sm.commandCalls(InvokeEndpointCommand).map((c) => (c.args[0].input.Body as Uint8Array).length);
    expect(sizes.every((n) => n <= 100)).toBe(true);
    expect(sizes.length).toBeGreaterThan(1);
  });

  it("gives the model the columns it was configured with", async () => {
    sm.on(InvokeEndpointCommand).callsFake(endpoint("predictions"));
    const scorer = new SageMakerScorer(client, { endpointName: "m", columns: ["principalType", "eventSource", "eventName", "count"] });
    const scores = await scorer.score(pairs.slice(0, 1));
    expect(bodyText(sm.commandCalls(InvokeEndpointCommand)[0]!)).toBe("IAMUser,s3.amazonaws.com,GetObject,1\n");
    expect(scores).toEqual([{ score: 0.1 }]);
  });

  it("reads CSV answers too", async () => {
    sm.on(InvokeEndpointCommand).callsFake(endpoint("csv"));
    expect((await new SageMakerScorer(client, { endpointName: "m" }).score(pairs)).map((s) => s.score)).toHaveLength(7);
  });

  it("fails, naming the endpoint and request, when the model answers the wrong number of scores", async () => {
    sm.on(InvokeEndpointCommand).resolves({ Body: new TextEncoder().encode("[0.5]") as never });
    await expect(new SageMakerScorer(client, { endpointName: "m", maxRowsPerRequest: 4 }).score(pairs))
      .rejects.toThrow(new ScorerOutputError("SageMaker endpoint m returned 1 scores for the 4 rows of request 1 of 2"));
  });

  it("turns throttling into a TransientError the state machine retries, and keeps a model error as it is", async () => {
    sm.on(InvokeEndpointCommand).rejectsOnce(Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } }))
      .rejectsOnce(Object.assign(new Error("bad row"), { name: "ModelError", $metadata: { httpStatusCode: 424 } }));
    const scorer = new SageMakerScorer(client, { endpointName: "m" });

    await expect(scorer.score(pairs)).rejects.toBeInstanceOf(TransientError);
    await expect(scorer.score(pairs)).rejects.toMatchObject({ name: "ModelError", message: "SageMaker endpoint m, request 1 of 1 (7 rows): bad row" });
  });

  it("sends nothing for a day without pairs", async () => {
    expect(await new SageMakerScorer(client, { endpointName: "m" }).score([])).toEqual([]);
    expect(sm.commandCalls(InvokeEndpointCommand)).toHaveLength(0);
  });
});

describe("model responses", () => {
  it.each([
    ["[0.1, 0.2]", [0.1, 0.2]],
    ["[[0.1], [0.2]]", [0.1, 0.2]],
    ['{"predictions": [{"score": 0.1}, {"score": 0.2}]}', [0.1, 0.2]],
    ['{"scores": [0.1, "0.2"]}', [0.1, 0.2]],
    ["0.1\n0.2\n", [0.1, 0.2]],
    ["0.1,0.2", [0.1, 0.2]],
  ])("reads %s", (body, expected) => {
    expect(parseScoresResponse(body, "m")).toEqual(expected);
  });

  it("says what is wrong with an answer that holds no scores", () => {
    expect(() => parseScoresResponse("", "m")).toThrow("m: empty response");
    expect(() => parseScoresResponse('{"result": 1}', "m")).toThrow(/expected a JSON array, or an object with "predictions" or "scores"/);
    expect(() => parseScoresResponse("[0.1, null]", "m")).toThrow("m: prediction 2 is null, not a number");
    expect(() => parseScoresResponse("{oops", "m")).toThrow(/not valid JSON/);
  });
});
