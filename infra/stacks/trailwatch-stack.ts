import type { Construct } from "constructs";
import { S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Alerting } from "../../modules/alerting";
import { applyPlatformAspects } from "../../modules/aspects";
import { Platform } from "../../modules/platform";
import type { RetroHunt } from "../../modules/retro-hunt";
import type { DeploymentConfig } from "../config/schema";
import { watchedRegions } from "../config/sections";
import { CAPABILITIES } from "./capabilities";

/**
 * The whole trailwatch deployment in one stack (named after `namePrefix`): the AWS provider of the
 * home region plus an aliased provider per other watched region, the Platform (key, naming), the
 * cross-cutting aspects, alert routing, and every enabled capability.
 */
export class TrailwatchStack extends TerraformStack {
  readonly platform: Platform;
  readonly alerting: Alerting;
  /** The capability constructs deployed, by config section key. */
  readonly capabilities: Record<string, Construct> = {};

  constructor(scope: Construct, config: DeploymentConfig) {
    super(scope, config.namePrefix);
    const { account, homeRegion, partition } = config.deployment;

    if (config.stateBackend) {
      new S3Backend(this, { ...config.stateBackend, encrypt: true });
    }
    // allowed_account_ids: a plan or apply with credentials of another account fails before it changes anything.
    new AwsProvider(this, "aws", { region: homeRegion, allowedAccountIds: [account] });
    const regionProviders = Object.fromEntries(
      watchedRegions(config)
        .filter((r) => r !== homeRegion)
        .map((region) => [region, new AwsProvider(this, `aws-${region}`, { region, alias: region, allowedAccountIds: [account] })]),
    );

    this.platform = new Platform(this, "platform", {
      namePrefix: config.namePrefix,
      account,
      region: homeRegion,
      partition,
      logRetentionDays: config.logRetentionDays,
      deletionProtection: config.deletionProtection,
      tags: { "trailwatch:deployment": config.namePrefix, ...config.tags },
    });
    applyPlatformAspects(this);

    this.alerting = new Alerting(this, "alerting", {
      emails: config.sinks.emails,
      emailMinSeverity: config.sinks.emailMinSeverity,
      emailRetroHunt: config.sinks.emailRetroHunt,
      hec: config.sinks.hec,
      ...(config.sinks.securityHub?.enabled ? { securityHub: { minSeverity: config.sinks.securityHub.minSeverity } } : {}),
    });

    for (const [key, build] of Object.entries(CAPABILITIES)) {
      const c = build(this, config, { alertTopicArn: this.alerting.topicArn, alertLedger: this.alerting.ledger, undeliverableAlerts: this.alerting.undeliverable, regionProviders });
      if (c) this.capabilities[key] = c;
    }

    new TerraformOutput(this, "alert-topic-arn", { value: this.alerting.topic.arn, description: "The alert topic: subscribe more endpoints here" });
    new TerraformOutput(this, "kms-key-arn", { value: this.platform.kmsKey.arn, description: "The platform key (topics, queues, tables, log groups)" });
    new TerraformOutput(this, "undeliverable-alerts-queue-url", {
      value: this.alerting.undeliverableQueue.url,
      description: "Alerts that could not be published to the alert topic; replay with npm run replay-undeliverable",
    });
    const hunt = this.capabilities.retroHunt as RetroHunt | undefined;
    if (hunt) {
      new TerraformOutput(this, "retro-hunt-state-machine-arn", { value: hunt.stateMachine.arn, description: "Start hunts with trailwatch hunt --state-machine <arn>" });
      new TerraformOutput(this, "retro-hunt-results-bucket", { value: hunt.resultsBucket.bucket, description: "Where each hunt writes hunts/<execution>/alerts.jsonl and summary.json" });
    }
    if (this.alerting.hec) {
      new TerraformOutput(this, "hec-rejected-queue-url", { value: this.alerting.hec.rejectedQueue.url, description: "Alerts Splunk HEC rejected" });
    }
  }
}
