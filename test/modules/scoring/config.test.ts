import { effectiveThreshold, scoringConfigSchema, scoringSettingsSchema } from "../../../modules/scoring";

const issues = (input: unknown) => {
  const r = scoringConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};
const BASE = { enabled: true, cloudtrailBuckets: ["org-cloudtrail-logs"] } as const;

describe("scoringConfigSchema", () => {
  it("defaults to the built-in scorer with 14 days of history, threshold 0.7, no schedule and ERROR logging", () => {
    const cfg = scoringSettingsSchema.parse(BASE);
    expect(cfg).toMatchObject({ keyPrefix: "", layout: { type: "account" }, scorer: { type: "builtin" }, historyDays: 14, minHistoryDays: 3, schedules: [], mapConcurrency: 8, runRetentionDays: 30, historyRetentionDays: 45, logLevel: "ERROR" });
    expect(effectiveThreshold(cfg)).toBe(0.7);
  });

  it("accepts a disabled section without any other field", () => {
    expect(scoringConfigSchema.parse({ enabled: false })).toEqual({ enabled: false });
  });

  it("schedules every day at 02:30 UTC unless told otherwise", () => {
    const cfg = scoringSettingsSchema.parse({ ...BASE, schedules: [{ account: "111122223333", region: "eu-west-1" }, { account: "444455556666", region: "eu-west-1", expression: "cron(0 5 * * ? *)" }] });
    expect(cfg.schedules.map((s) => s.expression)).toEqual(["cron(30 2 * * ? *)", "cron(0 5 * * ? *)"]);
  });

  it("requires a threshold for a SageMaker model, whose scale is its own", () => {
    expect(issues({ ...BASE, scorer: { type: "sagemaker", endpointName: "activity-model" } })).toEqual([
      "threshold: is required with a SageMaker scorer: the default 0.7 is calibrated for the built-in scorer, a model has its own scale",
    ]);
    expect(issues({ ...BASE, scorer: { type: "sagemaker", endpointName: "activity-model" }, threshold: 0.35 })).toEqual([]);
  });

  it("says what is wrong and where", () => {
    expect(issues({
      ...BASE, cloudtrailBuckets: ["s3://logs"], layout: { type: "organization", organizationId: "org" },
      scorer: { type: "sagemaker", endpointName: "bad name", columns: ["ip"] }, threshold: 0.5,
      schedules: [{ account: "1", region: "eu-west-1" }],
    })).toEqual([
      "cloudtrailBuckets.0: expected an S3 bucket name",
      "layout.organizationId: expected an Organization id such as o-a1b2c3d4e5",
      "scorer.endpointName: expected a SageMaker endpoint name",
      expect.stringMatching(/^scorer\.columns\.0: /),
      "schedules.0.account: expected a 12-digit account id",
    ]);
  });

  it("checks the fields against each other", () => {
    expect(issues({
      ...BASE, historyDays: 30, historyRetentionDays: 20, minHistoryDays: 40,
      schedules: [{ account: "111122223333", region: "eu-west-1" }, { account: "111122223333", region: "eu-west-1" }],
    })).toEqual([
      "historyRetentionDays: must be more than historyDays (30), or every run reads its whole history again",
      "minHistoryDays: is more than historyDays (30): the built-in scorer would never judge anything",
      "schedules.1: account 111122223333 in eu-west-1 is scheduled twice",
    ]);
  });
});
