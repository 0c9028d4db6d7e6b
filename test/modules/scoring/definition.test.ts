import validator = require("asl-validator");
import { RETRIED_ERRORS, scoringDefinition, STATE } from "../../../modules/scoring/definition";

const arns = {
  readFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:tw-scoring-read",
  scoreFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:tw-scoring-score",
  alertFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:tw-scoring-alert",
};
type State = Record<string, any>;

describe("the scoring state machine definition", () => {
  const definition = scoringDefinition(arns);
  const states = definition.States as Record<string, State>;
  const tasks = [
    ...Object.entries(states).filter(([, s]) => s.Type === "Task"),
    ...Object.entries(states[STATE.readAll]!.ItemProcessor.States as Record<string, State>),
  ];

  it("is valid Amazon States Language", () => {
    const result = validator(structuredClone(definition));
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it("invokes only the three functions", () => {
    expect(new Set(tasks.map(([, s]) => s.Resource))).toEqual(new Set(Object.values(arns)));
  });

  it("retries Lambda service errors, throttling and transient errors on every task, and nothing else", () => {
    for (const [name, s] of tasks) {
      const retried = (s.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals);
      expect({ name, retried: retried.sort() }).toEqual({ name, retried: [...RETRIED_ERRORS.lambda, ...RETRIED_ERRORS.transient].sort() });
      expect(s.TimeoutSeconds).toBeGreaterThan(0);
    }
  });

  it("reports every failure except bad input through the alert function", () => {
    for (const name of [STATE.plan, STATE.readAll, STATE.merge, STATE.score, STATE.alert]) {
      const catches = states[name]!.Catch as { ErrorEquals: string[]; Next: string }[];
      expect(catches.at(-1)).toEqual({ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: STATE.reportFailure });
    }
    expect(states[STATE.plan]!.Catch[0]).toMatchObject({ ErrorEquals: ["InvalidInput"], Next: STATE.invalidInput });
    expect(states[STATE.reportFailure]).toMatchObject({ Resource: arns.alertFunctionArn, Next: STATE.failed });
    expect(states[STATE.failed]).toEqual({ Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" });
  });

  it("reads the batches with a Map state of bounded concurrency", () => {
    expect(states[STATE.readAll]).toMatchObject({ Type: "Map", ItemsPath: "$.run.batches", MaxConcurrency: 8, ResultPath: null });
    expect(scoringDefinition({ ...arns, mapConcurrency: 3 }).States).toMatchObject({ [STATE.readAll]: { MaxConcurrency: 3 } });
  });
});
