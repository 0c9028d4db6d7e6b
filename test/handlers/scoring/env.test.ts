import { createAlertHandler } from "../../../functions/handlers/scoring/alert";
import { alertEnvSchema, readEnvSchema, scoreEnvSchema } from "../../../functions/handlers/scoring/env";
import { EnvError, parseEnv } from "../../../functions/handlers/shared/env";

describe("the scoring functions' environment", () => {
  it("has defaults for everything but where to read and write", () => {
    expect(parseEnv("scoring-read", readEnvSchema, { WORK_BUCKET: "work-b", CLOUDTRAIL_BUCKETS: "trail-a, trail-b" })).toEqual({
      WORK_BUCKET: "work-b", CLOUDTRAIL_BUCKETS: ["trail-a", "trail-b"], HISTORY_DAYS: 14, BATCH_MAX_FILES: 1000, BATCH_MAX_MB: 256, READ_CONCURRENCY: 16, COMPLETE_AFTER_HOURS: 2,
    });
    expect(parseEnv("scoring-score", scoreEnvSchema, { WORK_BUCKET: "work-b" })).toMatchObject({ SCORER: "builtin", MIN_HISTORY_DAYS: 3 });
  });

  it("names every wrong variable", () => {
    expect(() => parseEnv("scoring-read", readEnvSchema, { WORK_BUCKET: "Bad_Bucket", HISTORY_DAYS: "365", ORGANIZATION_ID: "org-1" })).toThrow(
      new EnvError(
        "scoring-read: invalid environment: WORK_BUCKET: is not an S3 bucket name; CLOUDTRAIL_BUCKETS: is not set; expected comma-separated bucket names the function may read; ORGANIZATION_ID: must look like o-abcd123456; HISTORY_DAYS: must be an integer from 0 to 90, e.g. 14 (the default when unset); got \"365\"",
      ),
    );
    expect(() => parseEnv("scoring-score", scoreEnvSchema, { WORK_BUCKET: "w-b", SCORER: "sagemaker" })).toThrow(/SAGEMAKER_ENDPOINT: is required when SCORER is sagemaker/);
    expect(() => parseEnv("scoring-score", scoreEnvSchema, { WORK_BUCKET: "w-b", SAGEMAKER_COLUMNS: "principal,ip" })).toThrow(/SAGEMAKER_COLUMNS: has unknown column\(s\) ip/);
    expect(() => parseEnv("scoring-alert", alertEnvSchema, { WORK_BUCKET: "w-b", ALERT_TOPIC_ARN: "topic", INSIGHT_THRESHOLD: "high" })).toThrow(/ALERT_TOPIC_ARN: is not an SNS topic ARN; INSIGHT_THRESHOLD: must be a number such as 0.7 \(got "high"\)/);
  });

  it("fails the invocation (and so the step) on a bad environment", async () => {
    const handler = createAlertHandler({ WORK_BUCKET: "w-b" });
    await expect(handler({ action: "failure", state: {}, execution: { id: "x", name: "x" } })).rejects.toMatchObject({ name: "EnvError", message: expect.stringMatching(/^scoring-alert: invalid environment: ALERT_TOPIC_ARN: is not set; expected the alert SNS topic/) });
  });
});
