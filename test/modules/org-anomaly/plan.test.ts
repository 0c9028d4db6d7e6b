/**
 * The org-anomaly module behind a real alert topic, through Terraform itself: muster and discernment
 * bundled by esbuild, then init, validate and an offline plan. What synth cannot see (the `$${...}`
 * escapes of the projection template, attributes the provider rejects) fails here.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Alerting } from "../../../modules/alerting";
import { applyPlatformAspects } from "../../../modules/aspects";
import { Platform } from "../../../modules/platform";
import { OrgAnomaly, orgAnomalySettingsSchema } from "../../../modules/org-anomaly";
import { planStack, plannedResources, type TerraformRun } from "../../support/terraform";
import { ACCOUNT, HOME } from "../trail-guard/synth-support";

describe("a stack with organization anomaly detection", () => {
  let run: TerraformRun;

  beforeAll(() => {
    run = planStack((app) => {
      const stack = new TerraformStack(app, "org-anomaly");
      new AwsProvider(stack, "aws", { region: HOME });
      new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: HOME, logRetentionDays: 90, tags: { project: "trailwatch" } });
      applyPlatformAspects(stack);
      const alerting = new Alerting(stack, "alerting", { emails: ["soc@example.com"] });
      new OrgAnomaly(stack, "org-anomaly", {
        ...orgAnomalySettingsSchema.parse({
          enabled: true,
          bucketName: "org-cloudtrail-logs",
          layout: { type: "organization", organizationId: "o-a1b2c3d4e5" },
          managementAccountId: "999988887777",
          units: [
            { name: "payments", organizationalUnits: ["ou-ab12-11111111"] },
            { name: "retail", tag: { key: "bu", values: ["retail"] }, schedule: "rate(2 hours)" },
          ],
          discernment: { mode: "per-account", accounts: ["444455556666"] },
          trustRole: { name: "trailwatch-read-only" },
        }),
        alertTopicArn: alerting.topicArn,
      });
      return stack;
    });
  });

  it("is valid Terraform and plans offline", () => {
    const types = new Set(plannedResources(run.plan).map((r) => r.type));
    for (const t of ["aws_glue_catalog_database", "aws_glue_catalog_table", "aws_athena_workgroup", "aws_dynamodb_table", "aws_sns_topic_subscription", "aws_scheduler_schedule", "aws_lambda_permission"]) expect(types).toContain(t);
  });

  it("hands Athena the projection template with its placeholders intact", () => {
    const table = plannedResources(run.plan).find((r) => r.type === "aws_glue_catalog_table")!;
    expect((table.values.parameters as Record<string, string>)["storage.location.template"]).toBe("s3://org-cloudtrail-logs/AWSLogs/o-a1b2c3d4e5/${account}/CloudTrail/${region}/${date}");
  });

  it("bundles the real muster and discernment handlers", () => {
    const fns = plannedResources(run.plan).filter((r) => r.type === "aws_lambda_function").map((r) => r.values.function_name).sort();
    expect(fns).toEqual(expect.arrayContaining(["tw-anomaly-discernment", "tw-anomaly-discernment-444455556666", "tw-anomaly-muster"]));
  });
});
