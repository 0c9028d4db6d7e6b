import { createAlertHandler } from "../../../functions/handlers/scoring/alert";
import { alertEnvSchema, ConfigurationError, parseEnv, readEnvSchema, scoreEnvSchema } from "../../../functions/handlers/scoring/env";

describe("the scoring functions' environment", () => {
  it("has defaults for everything but where to read and write", () => {
    expect(parseEnv(readEnvSchema, { WORK_BUCKET: "work-b", CLOUDTRAIL_BUCKETS: "trail-a, trail-b" }, "read")).toEqual({
      WORK_BUCKET: "work-b", CLOUDTRAIL_BUCKETS: ["trail-a", "trail-b"], HISTORY_DAYS: 14, BATCH_MAX_FILES: 1000, BATCH_MAX_MB: 256, READ_CONCURRENCY: 16, COMPLETE_AFTER_HOURS: 2,
    });
    expect(parseEnv(scoreEnvSchema, { WORK_BUCKET: "work-b" }, "score")).toMatchObject({ SCORER: "builtin", MIN_HISTORY_DAYS: 3 });
  });

  it("names every wrong variable", () => {
    expect(() => parseEnv(readEnvSchema, { WORK_BUCKET: "Bad_Bucket", HISTORY_DAYS: "365", ORGANIZATION_ID: "org-1" }, "scoring read")).toThrow(
      new ConfigurationError("scoring read function environment: WORK_BUCKET is not an S3 bucket name; CLOUDTRAIL_BUCKETS is required (comma-separated bucket names the function may read); ORGANIZATION_ID must look like o-abcd123456; HISTORY_DAYS must be an integer from 0 to 90 (got \"365\")"),
    );
    expect(() => parseEnv(scoreEnvSchema, { WORK_BUCKET: "w-b", SCORER: "sagemaker" }, "score")).toThrow(/SAGEMAKER_ENDPOINT is required when SCORER is sagemaker/);
    expect(() => parseEnv(scoreEnvSchema, { WORK_BUCKET: "w-b", SAGEMAKER_COLUMNS: "principal,ip" }, "score")).toThrow(/unknown column\(s\) ip/);
    expect(() => parseEnv(alertEnvSchema, { WORK_BUCKET: "w-b", ALERT_TOPIC_ARN: "topic", INSIGHT_THRESHOLD: "high" }, "alert")).toThrow(/ALERT_TOPIC_ARN is not an SNS topic ARN; INSIGHT_THRESHOLD must be a number such as 0.7 \(got "high"\)/);
  });

  it("fails the invocation (and so the step) on a bad environment", async () => {
    const handler = createAlertHandler({ WORK_BUCKET: "w-b" });
    await expect(handler({ action: "failure", state: {}, execution: { id: "x", name: "x" } })).rejects.toMatchObject({ name: "ConfigurationError" });
  });
});
