/**
 * One small stack with both capabilities (trail guard in three regions, log analyzer) behind a real
 * alert topic, through Terraform itself: init, validate and an offline plan. What synth and the JSON
 * assertions cannot see (interpolation mistakes, attributes the provider rejects, provider aliases)
 * fails here.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Alerting } from "../../../modules/alerting";
import { applyPlatformAspects } from "../../../modules/aspects";
import { LogAnalyzer, logAnalyzerSettingsSchema } from "../../../modules/log-analyzer";
import { Platform } from "../../../modules/platform";
import { TrailGuard, trailGuardSettingsSchema } from "../../../modules/trail-guard";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { planStack, plannedResources, type TerraformRun } from "../../support/terraform";
import { ACCOUNT, HOME } from "./synth-support";

// The handlers are bundled by NodeFunction's own tests; Terraform only needs a zip to point at.
jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("./synth-support").fakeBundler());
// eslint-disable-next-line @typescript-eslint/no-require-imports
const bundler = require("../../../modules/lambda-function/bundle") as { entries: string[]; REPO_ROOT: string };

const TRAIL = `arn:aws:cloudtrail:${HOME}:${ACCOUNT}:trail/org-trail`;

describe("a stack with the trail guard and the log analyzer", () => {
  let run: TerraformRun;

  beforeAll(() => {
    run = planStack((app) => {
      const stack = new TerraformStack(app, "capabilities");
      new AwsProvider(stack, "aws", { region: HOME });
      new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: HOME, logRetentionDays: 90, tags: { project: "trailwatch" } });
      applyPlatformAspects(stack);
      const alerting = new Alerting(stack, "alerting", { emails: ["soc@example.com"] });
      new TrailGuard(stack, "trail-guard", {
        ...trailGuardSettingsSchema.parse({
          enabled: true,
          regions: [HOME, "us-east-1", "eu-central-1"],
          protectedTrails: [TRAIL],
          remediation: { "cloudtrail.logging-stopped": "apply" },
          trailBucketName: "org-cloudtrail-logs",
          trailKmsKeyArn: `arn:aws:kms:${HOME}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
        }),
        alertTopicArn: alerting.topicArn,
      });
      new LogAnalyzer(stack, "log-analyzer", {
        ...logAnalyzerSettingsSchema.parse({
          enabled: true,
          bucketName: "org-cloudtrail-logs",
          notification: { source: "s3", manageBucketNotification: true },
          layout: { type: "organization", organizationId: "o-a1b2c3d4e5" },
          remediation: { "cloudtrail.logging-stopped": "apply" },
        }),
        alertTopicArn: alerting.topicArn,
      });
      return stack;
    });
  });

  it("is valid Terraform and plans offline", () => {
    // Assess
    const actions = new Set(run.plan.resource_changes.filter((c) => c.mode === "managed").flatMap((c) => c.change.actions));
    expect([...actions]).toEqual(["create"]);
  });

  it("deploys handler files that exist in the repository", () => {
    // Act
    const ours = bundler.entries.filter((e) => /trail-guard|trail-heartbeat|log-analyzer/.test(e));
    // Assess
    expect(ours.sort()).toEqual(["functions/handlers/log-analyzer.ts", "functions/handlers/trail-guard.ts", "functions/handlers/trail-heartbeat.ts"]);
    expect(ours.filter((e) => !existsSync(join(bundler.REPO_ROOT, e)))).toEqual([]);
  });

  it("plans the regional rules with the providers of their regions", () => {
    // Act
    const rules = run.plan.configuration.root_module.resources.filter((r) => r.type === "aws_cloudwatch_event_rule");
    const providerOf = (address: string) =>
      (run.plan.configuration.root_module.resources.find((r) => r.address === address) as { provider_config_key?: string }).provider_config_key;
    // Assess
    const keys = rules.map((r) => providerOf(r.address)).sort();
    expect(keys.filter((k) => k === "aws")).toHaveLength(5);
    expect(keys.filter((k) => k === "aws.us-east-1")).toHaveLength(4);
    expect(keys.filter((k) => k === "aws.eu-central-1")).toHaveLength(4);
  });

  it("plans the bucket notification for every ObjectCreated event of the organization's log files", () => {
    // Act
    const notification = plannedResources(run.plan).find((r) => r.type === "aws_s3_bucket_notification")!;
    // Assess
    expect(notification.values.queue).toEqual([
      expect.objectContaining({ events: ["s3:ObjectCreated:*"], filter_prefix: "AWSLogs/o-a1b2c3d4e5/", filter_suffix: ".json.gz" }),
    ]);
  });
});
