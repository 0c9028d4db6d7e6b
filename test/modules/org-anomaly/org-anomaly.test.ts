import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { applyPlatformAspects } from "../../../modules/aspects";
import { OrgAnomaly, orgAnomalySettingsSchema, type OrgAnomalySettingsInput } from "../../../modules/org-anomaly";
import { Platform } from "../../../modules/platform";
import { ACCOUNT, ALERT_TOPIC, HOME, findResource, functionStatements, platformStack, refTo, resourcesOf, synth, type Tf } from "../trail-guard/synth-support";

jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("../trail-guard/synth-support").fakeBundler());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundler = require("../../../modules/lambda-function/bundle") as { entries: string[] };

const ORG = "o-a1b2c3d4e5";
const BASE: OrgAnomalySettingsInput = {
  enabled: true,
  bucketName: "org-cloudtrail-logs",
  keyPrefix: "trail",
  layout: { type: "organization", organizationId: ORG },
  organizationId: ORG,
  managementAccountId: "999988887777",
  logKmsKeyArn: `arn:aws:kms:${HOME}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
  units: [
    { name: "payments", organizationalUnits: ["ou-ab12-11111111"] },
    { name: "retail", tag: { key: "bu", values: ["retail"] }, schedule: "rate(2 hours)" },
  ],
};

function synthAnomaly(overrides: Partial<OrgAnomalySettingsInput> = {}): Tf {
  const stack = platformStack();
  new OrgAnomaly(stack, "org-anomaly", { ...orgAnomalySettingsSchema.parse({ ...BASE, ...overrides }), alertTopicArn: ALERT_TOPIC });
  return synth(stack);
}
const sids = (tf: Tf, fn: string) => Object.fromEntries(functionStatements(tf, fn).map((s) => [s.sid, { actions: s.actions, resources: s.resources, ...(s.condition ? { condition: s.condition } : {}) }]));
const platformKeyArn = (tf: Tf) => refTo(tf, "aws_kms_key", (k) => k.description.startsWith("trailwatch tw: encrypts"), "arn");

describe("OrgAnomaly", () => {
  const tf = synthAnomaly();

  it("defines the CloudTrail table once, in Terraform, with partitions projected for the organization layout", () => {
    const t = findResource(tf, "aws_glue_catalog_table", () => true);
    expect(t.partition_keys.map((k: { name: string }) => k.name)).toEqual(["account", "region", "date"]);
    expect(t.parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.account.type": "injected",
      "projection.region.type": "injected",
      "projection.date.type": "date",
      "projection.date.format": "yyyy/MM/dd",
      "projection.date.range": "2020/01/01,NOW",
      // `$${` is Terraform's escape: Athena, not Terraform, fills the template.
      "storage.location.template": `s3://org-cloudtrail-logs/trail/AWSLogs/${ORG}/$\${account}/CloudTrail/$\${region}/$\${date}`,
    });
    expect(t.storage_descriptor).toMatchObject({ location: `s3://org-cloudtrail-logs/trail/AWSLogs/${ORG}/`, input_format: "com.amazon.emr.cloudtrail.CloudTrailInputFormat", ser_de_info: { serialization_library: "com.amazon.emr.hive.serde.CloudTrailSerde" } });
    const ui = t.storage_descriptor.columns.find((c: { name: string }) => c.name === "useridentity").type;
    for (const f of ["onbehalfof:struct<userid:string,identitystorearn:string>", "identityprovider:string", "sessionissuer:struct<type:string,principalid:string,arn:string"]) expect(ui).toContain(f);
  });

  it("makes the region an enum of the configured regions when a list is given, and uses the account layout's path", () => {
    const t = findResource(synthAnomaly({ regions: ["us-east-1", "eu-west-1"], layout: { type: "account" }, keyPrefix: "" }), "aws_glue_catalog_table", () => true);
    expect(t.parameters).toMatchObject({ "projection.region.type": "enum", "projection.region.values": "eu-west-1,us-east-1", "storage.location.template": "s3://org-cloudtrail-logs/AWSLogs/$${account}/CloudTrail/$${region}/$${date}" });
  });

  it("runs queries in a workgroup with a bytes-scanned cutoff and KMS-encrypted results that expire", () => {
    const wg = findResource(tf, "aws_athena_workgroup", () => true);
    expect(wg.configuration).toMatchObject({
      enforce_workgroup_configuration: true,
      bytes_scanned_cutoff_per_query: 2048 * 1024 * 1024,
      result_configuration: { encryption_configuration: { encryption_option: "SSE_KMS", kms_key_arn: platformKeyArn(tf) } },
    });
    expect(findResource(tf, "aws_s3_bucket_lifecycle_configuration", (l) => JSON.stringify(l).includes("expire-results")).rule[0].expiration).toEqual([{ days: 7 }]);
  });

  it("keeps the baseline in a KMS-encrypted table with TTL on expiresAt", () => {
    expect(findResource(tf, "aws_dynamodb_table", () => true)).toMatchObject({
      name: "tw-anomaly-baseline", hash_key: "pk", range_key: "sk", billing_mode: "PAY_PER_REQUEST",
      ttl: { attribute_name: "expiresAt", enabled: true }, server_side_encryption: { enabled: true, kms_key_arn: platformKeyArn(tf) }, point_in_time_recovery: { enabled: true },
    });
  });

  it("schedules each unit on its own, passing the scheduled time, with retries and a DLQ", () => {
    const schedules = resourcesOf(tf, "aws_scheduler_schedule").map(([, s]) => s);
    expect(schedules.map((s) => [s.name, s.schedule_expression, JSON.parse(s.target.input)])).toEqual([
      ["tw-anomaly-payments", "cron(5 * * * ? *)", { unit: "payments", scheduledTime: "<aws.scheduler.scheduled-time>" }],
      ["tw-anomaly-retail", "rate(2 hours)", { unit: "retail", scheduledTime: "<aws.scheduler.scheduled-time>" }],
    ]);
    expect(schedules[0].target).toMatchObject({ arn: refTo(tf, "aws_lambda_function", (f) => f.function_name === "tw-anomaly-muster", "arn"), retry_policy: { maximum_retry_attempts: 5 } });
  });

  it("alarms as soon as any of its dead-letter queues holds a message (> 0), to the alert topic, and again when it is empty", () => {
    // Act
    const alarms = resourcesOf(tf, "aws_cloudwatch_metric_alarm").map(([, a]) => a);
    const queueRef = (name: string) => refTo(tf, "aws_sqs_queue", (q) => q.name === name, "name");
    // Assess
    expect(alarms.map((a) => a.dimensions.QueueName).sort()).toEqual(["tw-anomaly-discernment-dlq", "tw-anomaly-muster-dlq", "tw-anomaly-schedule-dlq"].map(queueRef).sort());
    for (const a of alarms) {
      expect(a).toMatchObject({
        alarm_name: `${a.dimensions.QueueName}-not-empty`,
        metric_name: "ApproximateNumberOfMessagesVisible",
        statistic: "Maximum",
        threshold: 0,
        comparison_operator: "GreaterThanThreshold",
        alarm_actions: [ALERT_TOPIC],
        ok_actions: [ALERT_TOPIC],
      });
    }
  });

  it("grants muster only what it needs: ListAccounts on '*' (it has no resource type), the OU walk on the Organization's OUs, tags on its accounts, the fan-out topic", () => {
    const topic = refTo(tf, "aws_sns_topic", (t) => t.name === "tw-anomaly-fanout", "arn");
    expect(sids(tf, "tw-anomaly-muster")).toMatchObject({
      FanOutToDiscernment: { actions: ["sns:Publish"], resources: [topic] },
      ListOrganizationAccounts: { actions: ["organizations:ListAccounts"], resources: ["*"] },
      // Nested OUs are found at run time, so every OU under the unit's root: ou-<root part>-*.
      WalkOrganizationalUnits: { actions: ["organizations:ListAccountsForParent", "organizations:ListOrganizationalUnitsForParent"], resources: [`arn:aws:organizations::999988887777:ou/${ORG}/ou-ab12-*`] },
      ReadAccountTags: { actions: ["organizations:ListTagsForResource"], resources: [`arn:aws:organizations::999988887777:account/${ORG}/*`] },
    });
    const env = JSON.parse(findResource(tf, "aws_lambda_function", (f) => f.function_name === "tw-anomaly-muster").environment.variables.MUSTER_CONFIG);
    expect(env.units.map((u: { name: string; periodMinutes: number }) => [u.name, u.periodMinutes])).toEqual([["payments", 60], ["retail", 120]]);
  });

  it("lets muster list the root's children only when a unit names the root, and refuses OU units it cannot scope", () => {
    // Act
    const fromRoot = sids(synthAnomaly({ units: [{ name: "everyone", organizationalUnits: ["r-ab12"] }, { name: "lab", organizationalUnits: ["ou-cd34-22222222"] }] }), "tw-anomaly-muster");
    // Assess
    expect(fromRoot.WalkOrganizationalUnits!.resources).toEqual([
      `arn:aws:organizations::999988887777:ou/${ORG}/ou-ab12-*`,
      `arn:aws:organizations::999988887777:ou/${ORG}/ou-cd34-*`,
      `arn:aws:organizations::999988887777:root/${ORG}/r-ab12`,
    ]);
    expect(fromRoot.ListOrganizationAccounts).toBeUndefined();
    expect(() => orgAnomalySettingsSchema.parse({ ...BASE, organizationId: undefined, layout: { type: "account" } })).toThrow(/an OU unit needs organizationId/);
  });

  it("protects the baseline from deletion as the platform says: on by default, off to remove the deployment", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "unprotected");
    new AwsProvider(stack, "aws", { region: HOME });
    new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: HOME, logRetentionDays: 90, deletionProtection: false });
    applyPlatformAspects(stack);
    new OrgAnomaly(stack, "org-anomaly", { ...orgAnomalySettingsSchema.parse(BASE), alertTopicArn: ALERT_TOPIC });
    // Act
    const unprotected = findResource(synth(stack), "aws_dynamodb_table", () => true);
    // Assess
    expect(findResource(tf, "aws_dynamodb_table", () => true).deletion_protection_enabled).toBe(true);
    expect(unprotected.deletion_protection_enabled).toBe(false);
  });

  it("lets only muster publish to the fan-out topic", () => {
    const policy = findResource(tf, "aws_sns_topic_policy", () => true).policy as string;
    const doc = tf.data!.aws_iam_policy_document![/data\.aws_iam_policy_document\.([^.]+)\.json/.exec(policy)![1]!];
    const deny = doc.statement.find((s: { sid: string }) => s.sid === "OnlyMusterPublishes");
    expect(deny).toMatchObject({ effect: "Deny", actions: ["sns:Publish"], condition: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn" }] });
    expect(deny.condition[0].values[0]).toMatch(/aws_iam_role\..*muster.*\.arn/);
  });

  it("scopes discernment to its workgroup, table, the trail's log prefix, the baseline and the alert topic", () => {
    const s = sids(tf, "tw-anomaly-discernment");
    expect(s.RunActivityQueries!.resources).toEqual([expect.stringMatching(/^arn:aws:athena:eu-west-1:111122223333:workgroup\/\$\{aws_athena_workgroup\./)]);
    expect(s.ReadTrailLogFiles).toEqual({ actions: ["s3:GetObject"], resources: [`arn:aws:s3:::org-cloudtrail-logs/trail/AWSLogs/${ORG}/*/CloudTrail/*`] });
    expect(s.ListTrailLogFolders!.condition).toEqual([{ test: "StringLike", variable: "s3:prefix", values: [`trail/AWSLogs/${ORG}/*/CloudTrail/*`] }]);
    expect(s.DecryptTrailLogFiles).toEqual({ actions: ["kms:Decrypt"], resources: [BASE.logKmsKeyArn] });
    // The table's ARN built from its name (a reference would defer the policy whenever the table changes).
    expect(findResource(tf, "aws_dynamodb_table", () => true).name).toBe("tw-anomaly-baseline");
    expect(s.KeepBaseline).toEqual({ actions: ["dynamodb:Query", "dynamodb:PutItem", "dynamodb:BatchWriteItem"], resources: [`arn:aws:dynamodb:${HOME}:${ACCOUNT}:table/tw-anomaly-baseline`] });
    expect(s.PublishAlerts).toEqual({ actions: ["sns:Publish"], resources: [ALERT_TOPIC] });
    expect(JSON.stringify(s)).not.toMatch(/"\*"/);
    expect(bundler.entries).toEqual(expect.arrayContaining(["functions/handlers/muster.ts", "functions/handlers/discernment.ts"]));
  });

  it("with per-account mode gives each listed account its own function, reading only its logs, behind a filter on the account", () => {
    const t = synthAnomaly({ discernment: { mode: "per-account", accounts: ["444455556666"] }, trustRole: { name: "trailwatch-read-only" } });
    const subs = resourcesOf(t, "aws_sns_topic_subscription").map(([, s]) => [s.endpoint, JSON.parse(s.filter_policy), s.filter_policy_scope]).sort((a, b) => String(a[0]).length - String(b[0]).length);
    expect(subs).toEqual([
      [refTo(t, "aws_lambda_function", (f) => f.function_name === "tw-anomaly-discernment", "arn"), { dedicated: ["no"] }, "MessageAttributes"],
      [refTo(t, "aws_lambda_function", (f) => f.function_name === "tw-anomaly-discernment-444455556666", "arn"), { account: ["444455556666"], dedicated: ["yes"] }, "MessageAttributes"],
    ]);
    const own = sids(t, "tw-anomaly-discernment-444455556666");
    expect(own.ReadTrailLogFiles!.resources).toEqual([`arn:aws:s3:::org-cloudtrail-logs/trail/AWSLogs/${ORG}/444455556666/CloudTrail/*`]);
    expect(own.ReadRoleTrustInMemberAccounts!.resources).toEqual(["arn:aws:iam::444455556666:role/trailwatch-read-only"]);
    expect(findResource(t, "aws_lambda_function", (f) => f.function_name === "tw-anomaly-discernment-444455556666").environment.variables.ACCOUNT_ID).toBe("444455556666");
    expect(JSON.parse(findResource(t, "aws_lambda_function", (f) => f.function_name === "tw-anomaly-muster").environment.variables.MUSTER_CONFIG).dedicatedAccounts).toEqual(["444455556666"]);
    expect(resourcesOf(t, "aws_cloudwatch_metric_alarm")).toHaveLength(4);
  });

  it("refuses a configuration that does not fit in muster's environment", () => {
    const units = Array.from({ length: 40 }, (_, i) => ({ name: `unit-${i}`, organizationalUnits: Array.from({ length: 5 }, (_, j) => `ou-ab12-${String(i * 10 + j).padStart(8, "0")}`) }));
    expect(() => synthAnomaly({ units })).toThrow(/bytes of muster's environment; Lambda allows 4096/);
  });
});
