/**
 * The retro-hunt definition, state by state: valid ASL, the Distributed Map's configuration, and the
 * input and output shapes of each state as the definition's own JSONPath templates compute them
 * (evaluated by the local executor), against what the handlers accept and what AWS documents. These
 * cover what the local executor cannot run: ItemReader, ItemBatcher and ResultWriter.
 */
import validator = require("asl-validator");
import { huntBatchEventSchema } from "../../../functions/core/hunt/batch";
import { MAX_INPUT_BYTES_PER_BATCH, MAP_LABEL, RETRIED_ERRORS, retroHuntDefinition, STATE } from "../../../modules/retro-hunt/definition";
import type { PlanOutput } from "../../../functions/handlers/retro-hunt/plan";
import { evaluateTemplate } from "../../support/distributed-map";
import "../../handlers/scoring/local-sfn";

const ARN = (fn: string) => `arn:aws:lambda:eu-west-1:123456789012:function:tw-retro-hunt-${fn}`;
const props = {
  planFunctionArn: ARN("plan"),
  scanFunctionArn: ARN("scan"),
  summarizeFunctionArn: ARN("summarize"),
  resultsBucket: "tw-retro-hunt-123456789012-eu-west-1",
  maxConcurrency: 12,
  itemsPerBatch: 250,
  toleratedFailurePercentage: 5,
};
type State = Record<string, any>;

const plan: PlanOutput = {
  hunt: { id: "hunt-2026-11", from: "2026-10-01T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z", rules: ["cloudtrail.logging-stopped"] },
  manifestKey: "hunts/hunt-2026-11/manifest.json",
  mapResultsPrefix: "hunts/hunt-2026-11/map",
  planKey: "hunts/hunt-2026-11/plan.json",
  files: 3,
  bytes: 3000,
  publishAlerts: false,
};

describe("the retro-hunt state machine definition", () => {
  const definition = retroHuntDefinition(props);
  const states = definition.States as Record<string, State>;
  const map = states[STATE.scanAll]!;
  const tasks = [...Object.entries(states).filter(([, s]) => s.Type === "Task"), ...Object.entries(map.ItemProcessor.States as Record<string, State>)];

  it("is valid Amazon States Language", () => {
    // Act
    const result = validator(structuredClone(definition));
    // Assess
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });

  it("invokes only its three functions, each task with a timeout and retries of Lambda service errors and TransientError only", () => {
    // Assess
    expect(new Set(tasks.map(([, s]) => s.Resource))).toEqual(new Set([props.planFunctionArn, props.scanFunctionArn, props.summarizeFunctionArn]));
    for (const [name, s] of tasks) {
      const retried = (s.Retry as { ErrorEquals: string[] }[]).flatMap((r) => r.ErrorEquals).sort();
      expect({ name, retried }).toEqual({ name, retried: [...RETRIED_ERRORS.lambda, ...RETRIED_ERRORS.transient].sort() });
      expect(s.TimeoutSeconds).toBeGreaterThan(0);
    }
  });

  it("scans with a Distributed Map of standard child executions, bounded concurrency, batches and a tolerated failure share from the props", () => {
    // Assess
    expect(map).toMatchObject({
      Type: "Map",
      Label: MAP_LABEL,
      MaxConcurrency: 12,
      ToleratedFailurePercentage: 5,
      ItemBatcher: { MaxItemsPerBatch: 250, MaxInputBytesPerBatch: MAX_INPUT_BYTES_PER_BATCH },
      ItemProcessor: { ProcessorConfig: { Mode: "DISTRIBUTED", ExecutionType: "STANDARD" } },
      ItemReader: { Resource: "arn:aws:states:::s3:getObject", ReaderConfig: { InputType: "JSON" } },
      ResultWriter: { Resource: "arn:aws:states:::s3:putObject" },
    });
    expect(MAX_INPUT_BYTES_PER_BATCH).toBeLessThanOrEqual(256 * 1024);
    expect(retroHuntDefinition({ ...props, maxConcurrency: 3, toleratedFailurePercentage: 0 }).States).toMatchObject({ [STATE.scanAll]: { MaxConcurrency: 3, ToleratedFailurePercentage: 0 } });
  });

  it("reads the manifest the plan wrote, from the results bucket only", async () => {
    // Act
    const where = await evaluateTemplate(map.ItemReader.Parameters, { from: "2026-10-01", plan });
    // Assess
    expect(where).toEqual({ Bucket: props.resultsBucket, Key: plan.manifestKey });
  });

  it("gives every batch the hunt's settings and its items, in the shape the scan function accepts", async () => {
    // Prepare: what the ItemBatcher hands a child execution
    const batchInput = await evaluateTemplate(map.ItemBatcher.BatchInput, { plan });
    const child = { BatchInput: batchInput, Items: [{ key: "AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/2026/10/02/f.json.gz", size: 1000 }] };
    // Act: the child's Task Parameters, with the child execution's name in the context object
    const event = await evaluateTemplate(map.ItemProcessor.States[STATE.scanBatch].Parameters, child, { Execution: { Name: "4b2e5f0a-0c1d-4e5f-8a9b-0c1d2e3f4a5b" } });
    // Assess
    expect(batchInput).toEqual({ hunt: plan.hunt });
    expect(event).toEqual({ hunt: plan.hunt, items: child.Items, batchId: "4b2e5f0a-0c1d-4e5f-8a9b-0c1d2e3f4a5b" });
    expect(huntBatchEventSchema.safeParse(event).success).toBe(true);
  });

  it("writes the map's results under the hunt's own prefix and keeps the map run and its manifest location", async () => {
    // Prepare: the Distributed Map's output with a ResultWriter, as AWS documents it
    const output = { MapRunArn: "arn:aws:states:eu-west-1:123456789012:mapRun:tw-retro-hunt/ScanBatches:5f0a", ResultWriterDetails: { Bucket: props.resultsBucket, Key: "hunts/hunt-2026-11/map/5f0a/manifest.json" } };
    // Act
    const where = await evaluateTemplate(map.ResultWriter.Parameters, { plan });
    const selected = await evaluateTemplate(map.ResultSelector, output);
    // Assess
    expect(where).toEqual({ Bucket: props.resultsBucket, Prefix: plan.mapResultsPrefix });
    expect(selected).toEqual({ mapRunArn: output.MapRunArn, results: output.ResultWriterDetails });
    expect(map.ResultPath).toBe("$.map");
  });

  it("summarizes after the map whether it succeeded, failed past its tolerance or was skipped, and fails the hunt afterwards when the map failed", () => {
    // Assess
    expect(map.Next).toBe(STATE.summarize);
    expect(map.Catch).toEqual([{ ErrorEquals: ["States.ALL"], ResultPath: "$.mapError", Next: STATE.summarize }]);
    expect(states[STATE.anyFiles]).toEqual({ Type: "Choice", Choices: [{ Variable: "$.plan.files", NumericGreaterThan: 0, Next: STATE.scanAll }], Default: STATE.summarize });
    expect(states[STATE.summarize]!.Parameters).toEqual({ "state.$": "$", execution: { "name.$": "$$.Execution.Name", "startTime.$": "$$.Execution.StartTime" } });
    expect(states[STATE.didFail]!.Choices).toEqual([{ Variable: "$.mapError", IsPresent: true, Next: STATE.failed }]);
    expect(states[STATE.failed]).toMatchObject({ Type: "Fail", ErrorPath: "$.mapError.Error", CausePath: "$.mapError.Cause" });
    expect(states[STATE.plan]!.Catch[0]).toEqual({ ErrorEquals: ["InvalidInput"], ResultPath: "$.error", Next: STATE.invalidInput });
  });
});
