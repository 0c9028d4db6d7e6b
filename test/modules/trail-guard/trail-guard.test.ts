import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TrailGuard, heartbeatPeriodEnv, trailGuardSettingsSchema, type TrailGuardSettingsInput } from "../../../modules/trail-guard";
import { ACCOUNT, ALERT_TOPIC, HOME, findResource, grants, platformStack, refTo, resourcesOf, statementsOf, synth, type Tf } from "./synth-support";

// Bundling is NodeFunction's concern (and the whole-stack test's); here it is a stub that records entries.
jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("./synth-support").fakeBundler());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundler = require("../../../modules/lambda-function/bundle") as { entries: string[] };

const TRAIL = `arn:aws:cloudtrail:${HOME}:${ACCOUNT}:trail/org-trail`;
const TRAIL_US = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/legacy`;
const KEY_ARN = `arn:aws:kms:${HOME}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const BASE: TrailGuardSettingsInput = {
  enabled: true,
  regions: [HOME, "us-east-1", "eu-central-1"],
  protectedTrails: [TRAIL, TRAIL_US],
  trailBucketName: "org-cloudtrail-logs",
  trailKmsKeyArn: KEY_ARN,
};

function synthGuard(overrides: Partial<TrailGuardSettingsInput> = {}): { tf: Tf; guard: TrailGuard } {
  const stack = platformStack();
  const settings = trailGuardSettingsSchema.parse({ ...BASE, ...overrides });
  const guard = new TrailGuard(stack, "trail-guard", { ...settings, alertTopicArn: ALERT_TOPIC });
  return { tf: synth(stack), guard };
}

const rules = (tf: Tf) => resourcesOf(tf, "aws_cloudwatch_event_rule").map(([id, r]) => ({ id, ...r }));
const ruleRef = (tf: Tf, id: string) => `\${aws_cloudwatch_event_rule.${id}.arn}`;
const HOME_BUS = `arn:aws:events:${HOME}:${ACCOUNT}:event-bus/default`;

describe("TrailGuard", () => {
  const { tf, guard } = synthGuard();

  it("deploys the trail-guard and heartbeat handlers", () => {
    // Assess
    expect(bundler.entries).toEqual(expect.arrayContaining(["functions/handlers/trail-guard.ts", "functions/handlers/trail-heartbeat.ts"]));
    expect(findResource(tf, "aws_lambda_function", (f) => f.function_name === "tw-trail-guard")).toBeDefined();
    expect(findResource(tf, "aws_lambda_function", (f) => f.function_name === "tw-trail-heartbeat")).toBeDefined();
  });

  it("puts every pattern in every watched region: home rules invoke the function, the others forward to the home bus", () => {
    // Act
    const patternRules = rules(tf).filter((r) => r.event_pattern);
    const byRegion = new Map<string, string[]>();
    for (const r of patternRules) {
      const region = r.provider ? r.provider.replace(/^aws\./, "") : HOME;
      byRegion.set(region, [...(byRegion.get(region) ?? []), r.name].sort());
    }
    // Assess
    const names = ["tw-trail-guard-bucket", "tw-trail-guard-key", "tw-trail-guard-organization", "tw-trail-guard-trail"];
    expect(Object.fromEntries(byRegion)).toEqual({ [HOME]: names, "us-east-1": names, "eu-central-1": names });
    expect(guard.watchedRegions).toEqual([HOME, "us-east-1", "eu-central-1"]);

    const targets = resourcesOf(tf, "aws_cloudwatch_event_target").map(([, t]) => t);
    for (const r of patternRules) {
      const target = targets.filter((t) => t.rule === `\${aws_cloudwatch_event_rule.${r.id}.name}`);
      expect(target).toHaveLength(1);
      if (r.provider) {
        expect(target[0]).toMatchObject({ provider: r.provider, arn: HOME_BUS, role_arn: expect.stringMatching(/^\$\{aws_iam_role\..*forwarder.*\.arn\}$/) });
      } else {
        expect(target[0].arn).toBe(refTo(tf, "aws_lambda_function", (f) => f.function_name === "tw-trail-guard", "arn"));
      }
    }
  });

  it("keeps events a forwarding rule could not deliver in a DLQ of its region, encrypted with that region's key, writable only by those rules", () => {
    // Act
    const queues = resourcesOf(tf, "aws_sqs_queue").filter(([, q]) => q.name === "tw-trail-guard-forward-dlq");
    const targets = resourcesOf(tf, "aws_cloudwatch_event_target").map(([, t]) => t).filter((t) => t.provider);
    // Assess
    expect(queues.map(([, q]) => q.provider).sort()).toEqual(["aws.eu-central-1", "aws.us-east-1"]);
    for (const [id, q] of queues) {
      const region = q.provider.replace(/^aws\./, "");
      expect(q).toMatchObject({ message_retention_seconds: 14 * 24 * 3600, kms_master_key_id: expect.stringMatching(new RegExp(`^\\$\\{aws_kms_key\\.platform_region-${region}_key_\\w+\\.arn\\}$`)) });
      const mine = targets.filter((t) => t.provider === q.provider);
      expect(mine).toHaveLength(4);
      for (const t of mine) expect(t.dead_letter_config).toEqual({ arn: `\${aws_sqs_queue.${id}.arn}` });
      const policy = findResource(tf, "aws_sqs_queue_policy", (p) => p.queue_url === `\${aws_sqs_queue.${id}.url}`);
      const regionRules = rules(tf).filter((r) => r.provider === q.provider).map((r) => `\${aws_cloudwatch_event_rule.${r.id}.arn}`);
      const statements = statementsOf(tf, policy.policy);
      expect(statements).toEqual([expect.objectContaining({ actions: ["sqs:SendMessage"], principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }] })]);
      expect(statements[0].condition).toEqual([{ test: "ArnEquals", variable: "aws:SourceArn", values: expect.arrayContaining(regionRules) }]);
      expect(statements[0].condition[0].values).toHaveLength(4);
    }
  });

  it("creates one aliased provider per other region, authenticating like the default provider", () => {
    // Act
    const providers = tf.provider!.aws!;
    // Assess
    expect(providers.map((p) => [p.alias ?? "(default)", p.region]).sort()).toEqual([
      ["(default)", HOME],
      ["eu-central-1", "eu-central-1"],
      ["us-east-1", "us-east-1"],
    ]);
  });

  it("lets EventBridge forward only to the home region's default bus, only for this account's trail-guard rules", () => {
    // Act
    const role = findResource(tf, "aws_iam_role", (r) => r.name === "tw-trail-guard-forwarder");
    const trust = statementsOf(tf, role.assume_role_policy);
    const policy = findResource(tf, "aws_iam_role_policy", (p) => p.name === "put-events-on-home-bus");
    // Assess
    expect(trust).toEqual([
      expect.objectContaining({
        actions: ["sts:AssumeRole"],
        principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }],
        condition: [
          { test: "StringEquals", variable: "aws:SourceAccount", values: [ACCOUNT] },
          { test: "ArnLike", variable: "aws:SourceArn", values: [`arn:aws:events:*:${ACCOUNT}:rule/tw-trail-guard-*`] },
        ],
      }),
    ]);
    expect(statementsOf(tf, policy.policy)).toEqual([expect.objectContaining({ actions: ["events:PutEvents"], resources: [HOME_BUS] })]);
  });

  it("lets only its own rules invoke the functions, and sends undeliverable events to a DLQ that only those rules may write", () => {
    // Prepare
    const homeRules = rules(tf).filter((r) => !r.provider);
    // Act
    const permissions = resourcesOf(tf, "aws_lambda_permission").map(([, p]) => p);
    const dlqPolicy = findResource(tf, "aws_sqs_queue_policy", (p) => !p.provider);
    const homeTargets = resourcesOf(tf, "aws_cloudwatch_event_target").map(([, t]) => t).filter((t) => !t.provider);
    // Assess
    expect(homeRules).toHaveLength(5); // 4 patterns + heartbeat schedule
    expect(permissions.map((p) => p.source_arn).sort()).toEqual(homeRules.map((r) => ruleRef(tf, r.id)).sort());
    for (const p of permissions) expect(p).toMatchObject({ action: "lambda:InvokeFunction", principal: "events.amazonaws.com" });
    const dlqArn = refTo(tf, "aws_sqs_queue", (q) => q.name === "tw-trail-guard-delivery-dlq", "arn");
    for (const t of homeTargets) expect(t.dead_letter_config).toEqual({ arn: dlqArn });
    const [statement] = statementsOf(tf, dlqPolicy.policy);
    expect(statement).toMatchObject({ actions: ["sqs:SendMessage"], principals: [{ type: "Service", identifiers: ["events.amazonaws.com"] }] });
    expect(statement.condition[0].values.sort()).toEqual(homeRules.map((r) => ruleRef(tf, r.id)).sort());
  });

  it("runs the heartbeat on its schedule, reading only the protected trails", () => {
    // Act
    const schedule = rules(tf).find((r) => r.schedule_expression)!;
    const heartbeat = findResource(tf, "aws_lambda_function", (f) => f.function_name === "tw-trail-heartbeat");
    const can = grants(tf, "tw-trail-heartbeat");
    // Assess
    expect(schedule.schedule_expression).toBe("rate(15 minutes)");
    expect(heartbeat.environment.variables).toMatchObject({
      ALERT_TOPIC_ARN: ALERT_TOPIC,
      PROTECTED_TRAILS: JSON.stringify([TRAIL, TRAIL_US]),
      MAX_DELIVERY_AGE_MINUTES: "60",
      HEARTBEAT_PERIOD_MINUTES: "15",
    });
    expect(can.get("cloudtrail:GetTrailStatus")).toEqual([TRAIL, TRAIL_US]);
    expect([...can.keys()].filter((a) => a.startsWith("cloudtrail:"))).toEqual(["cloudtrail:GetTrailStatus"]);
    expect(can.has("cloudtrail:StartLogging")).toBe(false);
    expect(can.get("sns:Publish")).toEqual([ALERT_TOPIC]);
  });

  it("lets the heartbeat read the depth of the other regions' forwarding DLQs (their URLs in FORWARD_DLQ_URLS), nothing else of them", () => {
    // Act
    const heartbeat = findResource(tf, "aws_lambda_function", (f) => f.function_name === "tw-trail-heartbeat");
    const queues = resourcesOf(tf, "aws_sqs_queue").map(([, q]) => q).filter((q) => q.name === "tw-trail-guard-forward-dlq");
    const can = grants(tf, "tw-trail-heartbeat");
    // Assess: the URLs and ARNs name exactly the queues created in those regions.
    const regions = queues.map((q) => q.provider.replace(/^aws\./, "")).sort();
    expect(regions).toEqual(["eu-central-1", "us-east-1"]);
    expect(heartbeat.environment.variables.FORWARD_DLQ_URLS.split(",").sort()).toEqual(regions.map((r) => `https://sqs.${r}.amazonaws.com/${ACCOUNT}/tw-trail-guard-forward-dlq`));
    expect([...(can.get("sqs:GetQueueAttributes") ?? [])].sort()).toEqual(regions.map((r) => `arn:aws:sqs:${r}:${ACCOUNT}:tw-trail-guard-forward-dlq`));
    expect([...can.keys()].filter((a) => a.startsWith("sqs:") && a !== "sqs:SendMessage")).toEqual(["sqs:GetQueueAttributes"]);
  });

  it("gives the heartbeat an encrypted table of alerts sent today, so a lasting condition is mailed once a day", () => {
    // Act
    const table = findResource(tf, "aws_dynamodb_table", (t) => t.name === "tw-trail-heartbeat-state");
    const heartbeat = findResource(tf, "aws_lambda_function", (f) => f.function_name === "tw-trail-heartbeat");
    const can = grants(tf, "tw-trail-heartbeat");
    // Assess
    expect(table).toMatchObject({ hash_key: "pk", ttl: { attribute_name: "expiresAt", enabled: true }, server_side_encryption: { enabled: true } });
    expect(heartbeat.environment.variables.IDEMPOTENCY_TABLE).toMatch(/aws_dynamodb_table\.[\w-]*heartbeat-state[\w-]*\.name/);
    expect(can.get("dynamodb:PutItem")).toEqual([expect.stringMatching(/aws_dynamodb_table\.[\w-]*heartbeat-state[\w-]*\.arn/)]);
    expect(can.get("dynamodb:DeleteItem")).toEqual(can.get("dynamodb:PutItem"));
  });

  it("tells the heartbeat its period for rate schedules up to an hour, and nothing for others", () => {
    // Act / Assess
    expect(heartbeatPeriodEnv("rate(5 minutes)")).toEqual({ HEARTBEAT_PERIOD_MINUTES: "5" });
    expect(heartbeatPeriodEnv("rate(1 hour)")).toEqual({ HEARTBEAT_PERIOD_MINUTES: "60" });
    expect(heartbeatPeriodEnv("rate(2 hours)")).toEqual({});
    expect(heartbeatPeriodEnv("cron(0/10 * * * ? *)")).toEqual({});
  });

  it("grants StartLogging only in apply mode, and then only on the protected trails", () => {
    // Act
    const off = grants(tf, "tw-trail-guard");
    const dryRun = grants(synthGuard({ remediation: { "cloudtrail.logging-stopped": "dry-run" } }).tf, "tw-trail-guard");
    const apply = synthGuard({ remediation: { "cloudtrail.logging-stopped": "apply" } }).tf;
    // Assess
    expect([...off.keys()].filter((a) => a.startsWith("cloudtrail:"))).toEqual([]);
    expect([...dryRun.keys()].filter((a) => a.startsWith("cloudtrail:"))).toEqual([]);
    expect(grants(apply, "tw-trail-guard").get("cloudtrail:StartLogging")).toEqual([TRAIL, TRAIL_US]);
    const fn = findResource(apply, "aws_lambda_function", (f) => f.function_name === "tw-trail-guard");
    expect(JSON.parse(fn.environment.variables.REMEDIATION)).toEqual({ "cloudtrail.logging-stopped": "apply" });
    expect(JSON.parse(fn.environment.variables.PROTECTED_TRAILS)).toEqual([TRAIL, TRAIL_US]);
    expect(fn.environment.variables).toMatchObject({ ALERT_TOPIC_ARN: ALERT_TOPIC, TRAIL_BUCKET_NAME: "org-cloudtrail-logs", TRAIL_KMS_KEY_ARN: KEY_ARN });
  });

  it("publishes alerts to the topic with the platform key, and nothing else beyond its logs and DLQ", () => {
    // Act
    const can = grants(tf, "tw-trail-guard");
    // Assess
    expect([...can.keys()].sort()).toEqual(["kms:Decrypt", "kms:GenerateDataKey", "logs:CreateLogStream", "logs:PutLogEvents", "sns:Publish", "sqs:SendMessage"]);
    expect(can.get("sns:Publish")).toEqual([ALERT_TOPIC]);
  });

  it("alarms on every DLQ and on function errors, notifying the alert topic", () => {
    // Act
    const alarms = resourcesOf(tf, "aws_cloudwatch_metric_alarm").map(([, a]) => a);
    // Assess
    expect(alarms.map((a) => a.alarm_name).sort()).toEqual([
      "tw-trail-guard-delivery-dlq",
      "tw-trail-guard-guard-dlq",
      "tw-trail-guard-guard-errors",
      "tw-trail-guard-heartbeat-dlq",
      "tw-trail-guard-heartbeat-errors",
    ]);
    for (const a of alarms) {
      expect(a).toMatchObject({ alarm_actions: [ALERT_TOPIC], ok_actions: [ALERT_TOPIC], treat_missing_data: "notBreaching", threshold: 0 });
    }
  });

  it("adds the home region when config leaves it out, and needs no forwarding when it is the only one", () => {
    // Act
    const { tf: homeOnly, guard: g } = synthGuard({ regions: [HOME], protectedTrails: [TRAIL] });
    // Assess
    expect(g.watchedRegions).toEqual([HOME]);
    expect(rules(homeOnly).every((r) => !r.provider)).toBe(true);
    expect(resourcesOf(homeOnly, "aws_iam_role").map(([, r]) => r.name)).not.toContain("tw-trail-guard-forwarder");
    const { guard: g2 } = synthGuard({ regions: ["us-east-1"], protectedTrails: [TRAIL_US], trailKmsKeyArn: undefined });
    expect(g2.watchedRegions).toEqual([HOME, "us-east-1"]);
  });

  it("reuses a regional provider the stack already has instead of adding another", () => {
    // Prepare
    const stack = platformStack();
    const existing = new AwsProvider(stack, "aws-us", { region: "us-east-1", alias: "virginia" });
    const settings = trailGuardSettingsSchema.parse({ ...BASE, regions: [HOME, "us-east-1"], trailKmsKeyArn: undefined });
    // Act
    new TrailGuard(stack, "trail-guard", { ...settings, alertTopicArn: ALERT_TOPIC });
    const out = synth(stack);
    // Assess
    expect(out.provider!.aws!.map((p) => p.alias ?? "(default)").sort()).toEqual(["(default)", "virginia"]);
    expect(rules(out).filter((r) => r.provider).every((r) => r.provider === `aws.${existing.alias}`)).toBe(true);
  });
});
