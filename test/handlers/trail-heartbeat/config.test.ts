import { trailHeartbeatConfig } from "../../../functions/handlers/trail-heartbeat/config";
import { EnvError } from "../../../functions/handlers/shared/env";

const ORG_TRAIL = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail";
const US_TRAIL = "arn:aws-us-gov:cloudtrail:us-gov-west-1:111122223333:trail/us-audit";
const TOPIC = "arn:aws:sns:eu-west-1:111122223333:trailwatch-alerts";
const GOOD = { ALERT_TOPIC_ARN: TOPIC, PROTECTED_TRAILS: JSON.stringify([ORG_TRAIL]) };

/** The message of the error `trailHeartbeatConfig` throws for `env`. */
function problem(env: Record<string, string | undefined>): string {
  try {
    trailHeartbeatConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("trail-heartbeat configuration", () => {
  it("reads the module's environment, with the defaults for what is unset", () => {
    // Prepare / Act
    const cfg = trailHeartbeatConfig(GOOD);

    // Assess
    expect(cfg).toEqual({
      alertTopicArn: TOPIC,
      protectedTrails: [{ arn: ORG_TRAIL, partition: "aws", region: "eu-west-1", account: "111122223333", name: "org-trail" }],
      maxDeliveryAgeMinutes: 60,
      idempotencyTable: undefined,
      periodMinutes: 15,
      forwardDlqs: [],
    });
  });

  it("reads the forwarding DLQs of other regions from their URLs (region, account and ARN from the URL)", () => {
    const cfg = trailHeartbeatConfig({
      ...GOOD,
      FORWARD_DLQ_URLS: " https://sqs.us-east-1.amazonaws.com/111122223333/tw-trail-guard-forward-dlq, https://sqs.cn-north-1.amazonaws.com.cn/111122223333/tw-trail-guard-forward-dlq ",
    });
    expect(cfg.forwardDlqs.map((q) => [q.region, q.account, q.name, q.arn])).toEqual([
      ["us-east-1", "111122223333", "tw-trail-guard-forward-dlq", "arn:aws:sqs:us-east-1:111122223333:tw-trail-guard-forward-dlq"],
      ["cn-north-1", "111122223333", "tw-trail-guard-forward-dlq", "arn:aws-cn:sqs:cn-north-1:111122223333:tw-trail-guard-forward-dlq"],
    ]);
  });

  it("reads every variable, trimmed, and treats blank ones as unset", () => {
    const set = trailHeartbeatConfig({
      ALERT_TOPIC_ARN: ` ${TOPIC} `,
      PROTECTED_TRAILS: JSON.stringify([ORG_TRAIL, US_TRAIL]),
      MAX_DELIVERY_AGE_MINUTES: " 90 ",
      IDEMPOTENCY_TABLE: " trailwatch-trail-heartbeat-state ",
      HEARTBEAT_PERIOD_MINUTES: "5",
    });
    const blank = trailHeartbeatConfig({ ...GOOD, MAX_DELIVERY_AGE_MINUTES: "", IDEMPOTENCY_TABLE: "  ", HEARTBEAT_PERIOD_MINUTES: " " });

    expect(set).toMatchObject({ alertTopicArn: TOPIC, maxDeliveryAgeMinutes: 90, idempotencyTable: "trailwatch-trail-heartbeat-state", periodMinutes: 5 });
    expect(set.protectedTrails.map((t) => [t.partition, t.region, t.name])).toEqual([
      ["aws", "eu-west-1", "org-trail"],
      ["aws-us-gov", "us-gov-west-1", "us-audit"],
    ]);
    expect(blank).toMatchObject({ maxDeliveryAgeMinutes: 60, idempotencyTable: undefined, periodMinutes: 15 });
  });

  it.each([
    ["MAX_DELIVERY_AGE_MINUTES", "5", 5],
    ["MAX_DELIVERY_AGE_MINUTES", "1440", 1440],
    ["HEARTBEAT_PERIOD_MINUTES", "1", 1],
    ["HEARTBEAT_PERIOD_MINUTES", "60", 60],
  ])("accepts %s at its bound %s", (name, value, expected) => {
    const cfg = trailHeartbeatConfig({ ...GOOD, [name]: value });
    expect(name === "MAX_DELIVERY_AGE_MINUTES" ? cfg.maxDeliveryAgeMinutes : cfg.periodMinutes).toBe(expected);
  });

  it.each([
    [{ ALERT_TOPIC_ARN: undefined }, "ALERT_TOPIC_ARN: is not set; expected the alert topic's ARN, e.g. arn:aws:sns:us-east-1:111122223333:trailwatch-alerts"],
    [{ ALERT_TOPIC_ARN: "  " }, "ALERT_TOPIC_ARN: is not set; expected the alert topic's ARN, e.g. arn:aws:sns:"],
    [{ ALERT_TOPIC_ARN: "trailwatch-alerts" }, "ALERT_TOPIC_ARN: must be an SNS topic ARN arn:aws:sns:<region>:<account>:<topic>, e.g. arn:aws:sns:us-east-1:111122223333:trailwatch-alerts"],
    [{ ALERT_TOPIC_ARN: "arn:aws:sns:eu-west-1:111122223333:alerts.fifo" }, "ALERT_TOPIC_ARN: must be an SNS topic ARN"],
    [{ ALERT_TOPIC_ARN: "arn:aws:sqs:eu-west-1:111122223333:alerts" }, "ALERT_TOPIC_ARN: must be an SNS topic ARN"],
    [{ PROTECTED_TRAILS: undefined }, 'PROTECTED_TRAILS: is not set; the heartbeat needs at least one trail ARN to check, e.g. ["arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"]'],
    [{ PROTECTED_TRAILS: "[]" }, "PROTECTED_TRAILS: is empty; the heartbeat needs at least one trail ARN to check, e.g. ["],
    [{ PROTECTED_TRAILS: ORG_TRAIL }, 'PROTECTED_TRAILS: is not JSON; expected an array of trail ARNs such as ["arn:aws:cloudtrail:'],
    [{ PROTECTED_TRAILS: JSON.stringify({ trails: [ORG_TRAIL] }) }, 'PROTECTED_TRAILS: must be a JSON array of trail ARNs, e.g. ["arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail"]'],
    [{ PROTECTED_TRAILS: JSON.stringify([ORG_TRAIL, "org-trail"]) }, 'PROTECTED_TRAILS: entry [1] ("org-trail") is not a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>'],
    [{ MAX_DELIVERY_AGE_MINUTES: "soon" }, 'MAX_DELIVERY_AGE_MINUTES: must be an integer from 5 to 1440, e.g. 60 (the default when unset); got "soon"'],
    [{ MAX_DELIVERY_AGE_MINUTES: "4" }, 'MAX_DELIVERY_AGE_MINUTES: must be an integer from 5 to 1440, e.g. 60 (the default when unset); got "4"'],
    [{ MAX_DELIVERY_AGE_MINUTES: "1441" }, 'MAX_DELIVERY_AGE_MINUTES: must be an integer from 5 to 1440, e.g. 60 (the default when unset); got "1441"'],
    [{ MAX_DELIVERY_AGE_MINUTES: "60.5" }, 'MAX_DELIVERY_AGE_MINUTES: must be an integer from 5 to 1440, e.g. 60 (the default when unset); got "60.5"'],
    [{ HEARTBEAT_PERIOD_MINUTES: "0" }, 'HEARTBEAT_PERIOD_MINUTES: must be an integer from 1 to 60, e.g. 15 (the default when unset); got "0"'],
    [{ HEARTBEAT_PERIOD_MINUTES: "61" }, 'HEARTBEAT_PERIOD_MINUTES: must be an integer from 1 to 60, e.g. 15 (the default when unset); got "61"'],
  ])("refuses %j, saying what to set", (change, message) => {
    expect(problem({ ...GOOD, ...change })).toContain(`trail-heartbeat: invalid environment: ${message}`);
  });

  it("names every problem of a wrong environment at once", () => {
    // Prepare: four variables wrong in four ways
    const env = {
      ALERT_TOPIC_ARN: "trailwatch-alerts",
      PROTECTED_TRAILS: JSON.stringify(["org-trail"]),
      MAX_DELIVERY_AGE_MINUTES: "0",
      IDEMPOTENCY_TABLE: "trailwatch-trail-heartbeat-state",
      HEARTBEAT_PERIOD_MINUTES: "every 15 min",
    };

    // Act
    const message = problem(env);

    // Assess
    expect(message).toBe(
      "trail-heartbeat: invalid environment: " +
        "ALERT_TOPIC_ARN: must be an SNS topic ARN arn:aws:sns:<region>:<account>:<topic>, e.g. arn:aws:sns:us-east-1:111122223333:trailwatch-alerts; " +
        'PROTECTED_TRAILS: entry [0] ("org-trail") is not a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>; ' +
        'MAX_DELIVERY_AGE_MINUTES: must be an integer from 5 to 1440, e.g. 60 (the default when unset); got "0"; ' +
        'HEARTBEAT_PERIOD_MINUTES: must be an integer from 1 to 60, e.g. 15 (the default when unset); got "every 15 min"',
    );
  });
});
