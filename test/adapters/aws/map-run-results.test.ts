import { PutObjectCommand } from "@aws-sdk/client-s3";
import { readMapRunResults } from "../../../functions/adapters/aws/map-run-results";
import { startS3rver, type LocalS3 } from "../../support/s3rver";

const BUCKET = "results-bucket";

describe("reading what a Distributed Map's ResultWriter wrote", () => {
  let s3: LocalS3;
  const put = (key: string, value: unknown) => s3.client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: typeof value === "string" ? value : JSON.stringify(value) }));
  const child = (name: string, status: string, extra: Record<string, unknown>) => ({
    ExecutionArn: `arn:aws:states:eu-west-1:123456789012:execution:tw/ScanBatches:${name}`, Name: name, Status: status, Input: JSON.stringify({ Items: [{ key: `${name}.json.gz`, size: 1 }] }), InputDetails: { Included: true }, ...extra,
  });

  beforeAll(async () => {
    s3 = await startS3rver({ buckets: [BUCKET] });
  });
  afterAll(() => s3.stop());

  it("reads every map run's manifest and result files; a redriven child counts once, with its latest state", async () => {
    // Prepare: the first run failed one child and left one pending; a redrive succeeded them
    await put("h/map/run-1/SUCCEEDED_0.json", [child("a", "SUCCEEDED", { Output: '{"batchId":"a"}' })]);
    await put("h/map/run-1/FAILED_0.json", [child("b", "FAILED", { Error: "States.Timeout", Cause: "timed out" })]);
    await put("h/map/run-1/PENDING_0.json", [child("c", "PENDING", {})]);
    await put("h/map/run-1/manifest.json", { DestinationBucket: BUCKET, MapRunArn: "arn:1", ResultFiles: { SUCCEEDED: [{ Key: "h/map/run-1/SUCCEEDED_0.json" }], FAILED: [{ Key: "h/map/run-1/FAILED_0.json" }], PENDING: [{ Key: "h/map/run-1/PENDING_0.json" }] } });
    await put("h/map/run-2/SUCCEEDED_0.json", [child("b", "SUCCEEDED", { Output: '{"batchId":"b"}' })]);
    await put("h/map/run-2/manifest.json", { DestinationBucket: BUCKET, MapRunArn: "arn:2", ResultFiles: { SUCCEEDED: [{ Key: "h/map/run-2/SUCCEEDED_0.json" }, { Key: "h/map/run-2/missing.json" }], FAILED: [], PENDING: [] } });
    // Act
    const r = await readMapRunResults(s3.client, BUCKET, "h/map");
    // Assess
    expect(r.manifests).toEqual(["h/map/run-1/manifest.json", "h/map/run-2/manifest.json"]);
    expect(r.children.map((c) => [c.name, c.status, c.output, c.error]).sort()).toEqual([
      ["a", "SUCCEEDED", { batchId: "a" }, undefined],
      ["b", "SUCCEEDED", { batchId: "b" }, undefined],
      ["c", "PENDING", undefined, undefined],
    ]);
    expect(r.children.find((c) => c.name === "c")!.input).toEqual({ Items: [{ key: "c.json.gz", size: 1 }] });
    expect(r.problems).toEqual([`s3://${BUCKET}/h/map/run-2/missing.json: missing or not a JSON array of child executions`]);
  });

  it("finds nothing, without failing, where no map run wrote", async () => {
    // Act / Assess
    expect(await readMapRunResults(s3.client, BUCKET, "nothing/here")).toEqual({ manifests: [], children: [], problems: [] });
  });
});
