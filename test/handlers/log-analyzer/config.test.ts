import { catalog } from "../../../functions/core/rules/catalog";
import { handler, logAnalyzerConfig } from "../../../functions/handlers/log-analyzer";
import { sqsEvent } from "./harness";

const GOOD = {
  AWS_REGION: "us-east-1",
  ALERT_TOPIC_ARN: "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts",
  IDEMPOTENCY_TABLE: "trailwatch-idempotency",
};

describe("log analyzer configuration", () => {
  it("reads a minimal environment with remediation off (rule settings come with the rules the bundle embeds)", () => {
    expect(logAnalyzerConfig(catalog, GOOD)).toEqual({
      region: "us-east-1",
      alertTopicArn: GOOD.ALERT_TOPIC_ARN,
      idempotencyTable: GOOD.IDEMPOTENCY_TABLE,
      idempotencyTtlDays: 15,
      remediation: {},
      remediationRetryReceives: 3,
    });
  });

  it("reads remediation modes, the function's role and the idempotency TTL", () => {
    const cfg = logAnalyzerConfig(catalog, {
      ...GOOD,
      IDEMPOTENCY_TTL_DAYS: "7",
      REMEDIATION: '{"cloudtrail.logging-stopped": "apply"}',
      FUNCTION_ROLE_ARN: "arn:aws:iam::111122223333:role/trailwatch-log-analyzer",
      REMEDIATOR_FUNCTION: "trailwatch-remediator",
    });

    expect(cfg.remediation).toEqual({ "cloudtrail.logging-stopped": "apply" });
    expect(cfg.functionRoleArn).toBe("arn:aws:iam::111122223333:role/trailwatch-log-analyzer");
    expect(cfg.idempotencyTtlDays).toBe(7);
    expect(cfg.remediatorFunction).toBe("trailwatch-remediator");
  });

  it.each([
    [{ ALERT_TOPIC_ARN: undefined }, /ALERT_TOPIC_ARN: is required but not set/],
    [{ ALERT_TOPIC_ARN: "trailwatch-alerts" }, /ALERT_TOPIC_ARN: must be an sns ARN/],
    [{ IDEMPOTENCY_TABLE: "x" }, /IDEMPOTENCY_TABLE: must be a DynamoDB table name/],
    [{ REMEDIATION: "{apply}" }, /REMEDIATION: is not valid JSON .* expected a JSON object of rule id/],
    [{ REMEDIATION: '{"cloudtrail.logging-stopped": "yes"}' }, /REMEDIATION\.cloudtrail\.logging-stopped: Invalid option/],
    [{ REMEDIATION: '{"no.such-rule": "apply"}' }, /REMEDIATION\.no\.such-rule: no such rule/],
    [{ REMEDIATION: '{"ssm.plaintext-secret-parameter": "apply"}' }, /REMEDIATION\.ssm\.plaintext-secret-parameter: the rule has no remediation/],
    [{ FUNCTION_ROLE_ARN: "trailwatch" }, /FUNCTION_ROLE_ARN: must be an iam ARN/],
    [{ IDEMPOTENCY_TTL_DAYS: "0" }, /IDEMPOTENCY_TTL_DAYS: Too small/],
    [{ REMEDIATOR_FUNCTION: "trailwatch remediator" }, /REMEDIATOR_FUNCTION: must be a Lambda function name or ARN/],
  ])("rejects %j with a message naming the variable", (change, message) => {
    expect(() => logAnalyzerConfig(catalog, { ...GOOD, ...change })).toThrow(message);
  });

  it("makes the Lambda handler fail every invocation with the reason when the environment is wrong", async () => {
    const saved = { ...process.env };
    process.env = { ...saved, ALERT_TOPIC_ARN: "", IDEMPOTENCY_TABLE: "t1", AWS_REGION: "us-east-1" };
    try {
      await expect(handler(sqsEvent([]), {} as never)).rejects.toThrow(/^log-analyzer: invalid environment: ALERT_TOPIC_ARN/);
    } finally {
      process.env = saved;
    }
  });

  it("runs remediations in this process when no remediator function is configured (tests, local runs)", async () => {
    // Prepare
    const saved = { ...process.env };
    process.env = { ...saved, ...GOOD, REMEDIATION: '{"cloudtrail.logging-stopped": "dry-run"}', REMEDIATOR_FUNCTION: "" };
    try {
      // Act / Assess: wiring loads the in-process runner, which the deployed bundle leaves out
      await expect(handler(sqsEvent([]), {} as never)).resolves.toEqual({ batchItemFailures: [] });
    } finally {
      process.env = saved;
    }
  });
});
