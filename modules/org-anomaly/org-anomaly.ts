import { Construct } from "constructs";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import type { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import type { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { GlueCatalogDatabase } from "@cdktf/provider-aws/lib/glue-catalog-database";
import { GlueCatalogTable } from "@cdktf/provider-aws/lib/glue-catalog-table";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import type { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { SchedulerSchedule } from "@cdktf/provider-aws/lib/scheduler-schedule";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { musterConfigSchema, type MusterConfigInput } from "../../functions/core/anomaly/units";
import { NodeFunction } from "../lambda-function";
import { Platform, policyDocument, queueNotEmptyAlarm, recomputableBucket, scheduleLauncher, stateTable } from "../platform";
import type { OrgAnomalySettings } from "./config";
import { CLOUDTRAIL_COLUMNS, logsRoot, PARTITION_KEYS, projectionParameters } from "./glue-table";
import { discernmentStatements, musterStatements, type AnomalyPolicyContext } from "./policies";

export interface OrgAnomalyProps extends OrgAnomalySettings {
  /** The one alert topic (from `Alerting`). */
  alertTopicArn: string;
}

/** Lambda's limit on the total size of a function's environment variables. */
const ENV_LIMIT_BYTES = 4096;

function envSize(env: Record<string, string>): number {
  return Object.entries(env).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
}

/**
 * Organization anomaly detection: per business unit, on its own schedule, muster lists the unit's
 * accounts and fans out one message per account; discernment asks Athena what every principal of
 * the account did in the window that its 90-day baseline (DynamoDB) has never seen, and alerts.
 *
 * Deploys: a Glue database and CloudTrail table with partition projection (account, region, date;
 * nothing is added at run time), an Athena workgroup (bytes-scanned cutoff, SSE-KMS results in its
 * own bucket, enforced), the baseline table (TTL, KMS, PITR), the KMS-encrypted fan-out topic that
 * only muster may publish to, the muster function with one EventBridge Scheduler schedule per unit
 * (retries, DLQ), the shared discernment function and one per dedicated account (filter policies on
 * the `account` and `dedicated` message attributes), and alarms on every dead-letter queue.
 */
export class OrgAnomaly extends Construct {
  readonly database: GlueCatalogDatabase;
  readonly table: GlueCatalogTable;
  readonly workgroup: AthenaWorkgroup;
  readonly resultsBucket: S3Bucket;
  readonly baselineTable: DynamodbTable;
  readonly fanoutTopic: SnsTopic;
  readonly muster: NodeFunction;
  /** The shared discernment function (every account without a dedicated one). */
  readonly discernment: NodeFunction;
  /** Dedicated discernment functions, by account. */
  readonly dedicated: Record<string, NodeFunction> = {};
  readonly subscriptions: SnsTopicSubscription[] = [];
  readonly schedules: SchedulerSchedule[] = [];
  readonly scheduleRole: IamRole;
  readonly scheduleDlq: SqsQueue;
  readonly alarms: CloudwatchMetricAlarm[] = [];

  constructor(scope: Construct, id: string, props: OrgAnomalyProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const key = platform.kmsKey;
    const name = (n: string) => platform.name(n);
    const glueName = `${platform.namePrefix.replace(/-/g, "_")}_org_anomaly`;

    // --- Athena: database, table (projection), workgroup, results bucket --------------------------
    this.database = new GlueCatalogDatabase(this, "database", { name: glueName, description: "trailwatch organization anomaly detection: CloudTrail logs" });
    this.table = new GlueCatalogTable(this, "cloudtrail-table", {
      name: "cloudtrail",
      databaseName: this.database.name,
      description: "CloudTrail log files of every account and region, partitions projected (never added)",
      tableType: "EXTERNAL_TABLE",
      parameters: projectionParameters(props),
      partitionKeys: PARTITION_KEYS,
      storageDescriptor: {
        location: logsRoot(props),
        inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serDeInfo: { name: "cloudtrail", serializationLibrary: "com.amazon.emr.hive.serde.CloudTrailSerde", parameters: { "serialization.format": "1" } },
        columns: CLOUDTRAIL_COLUMNS,
      },
    });

    this.resultsBucket = recomputableBucket(this, "results", {
      bucket: `${platform.namePrefix}-anomaly-results-${platform.account}-${platform.region}`.slice(0, 63),
      kmsKeyArn: key.arn,
      lifecycle: [
        { id: "expire-results", status: "Enabled", filter: [{ prefix: "" }], expiration: [{ days: props.athena.resultRetentionDays }], abortIncompleteMultipartUpload: [{ daysAfterInitiation: 1 }] },
      ],
    });
    this.workgroup = new AthenaWorkgroup(this, "workgroup", {
      name: name("anomaly"),
      description: "trailwatch discernment queries: bytes-scanned cutoff, encrypted results",
      state: "ENABLED",
      forceDestroy: true,
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.athena.bytesScannedCutoffMb * 1024 * 1024,
        engineVersion: { selectedEngineVersion: "Athena engine version 3" },
        resultConfiguration: {
          outputLocation: `s3://${this.resultsBucket.bucket}/results/`,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.arn },
        },
      },
    });

    // --- Baseline ------------------------------------------------------------------------------
    this.baselineTable = stateTable(this, "baseline", {
      name: name("anomaly-baseline"),
      kmsKeyArn: key.arn,
      sortKey: true,
      pointInTimeRecovery: props.baselinePointInTimeRecovery,
      // Ninety days of learned behaviour: losing it means weeks of warm-up. Off only to remove the deployment.
      deletionProtectionEnabled: platform.deletionProtection,
    });

    // --- Fan-out topic -------------------------------------------------------------------------
    this.fanoutTopic = new SnsTopic(this, "fanout", { name: name("anomaly-fanout"), kmsMasterKeyId: key.arn });

    const ctx: AnomalyPolicyContext = {
      partition: platform.partition, account: platform.account, region: platform.region,
      alertTopicArn: props.alertTopicArn, fanoutTopicArn: this.fanoutTopic.arn, platformKeyArn: key.arn,
      workgroupName: this.workgroup.name, databaseName: glueName, tableName: "cloudtrail",
      // Built from the name, not referenced: a change to the table (deletion protection turned off
      // before a destroy) then does not defer the discernment policies to "known after apply".
      baselineTableArn: platform.arn("dynamodb", `table/${name("anomaly-baseline")}`), resultsBucketArn: this.resultsBucket.arn,
    };

    // --- Muster --------------------------------------------------------------------------------
    const dedicatedAccounts = props.discernment.mode === "per-account" ? props.discernment.accounts : [];
    const musterConfig: MusterConfigInput = {
      units: props.units.map((u) => ({ ...u })),
      excludeAccounts: props.excludeAccounts,
      dedicatedAccounts,
    };
    musterConfigSchema.parse(musterConfig); // the function validates the same JSON at cold start
    const musterEnv: Record<string, string> = {
      MUSTER_CONFIG: JSON.stringify(musterConfig),
      FANOUT_TOPIC_ARN: this.fanoutTopic.arn,
      ...(props.organizationsRoleArn ? { ORGANIZATIONS_ROLE_ARN: props.organizationsRoleArn } : {}),
    };
    const musterConfigBytes = Buffer.byteLength(musterEnv.MUSTER_CONFIG!);
    if (musterConfigBytes > ENV_LIMIT_BYTES - 600) {
      throw new Error(`orgAnomaly: the units, excluded and dedicated accounts take ${musterConfigBytes} bytes of muster's environment; Lambda allows ${ENV_LIMIT_BYTES} in all. Use fewer OU ids (a parent OU covers its nested OUs) or a tag.`);
    }
    this.muster = new NodeFunction(this, "muster", {
      entry: "functions/handlers/muster.ts",
      name: "anomaly-muster",
      description: "Lists a business unit's accounts and fans out one message per account to discernment",
      environment: musterEnv,
      timeoutSeconds: 300,
      memoryMb: 256,
      statements: musterStatements(props, ctx),
      // One run per unit at a time is enough; more would only add Organizations throttling.
      reservedConcurrency: Math.min(props.units.length * 2, 20),
    });
    new SnsTopicPolicy(this, "fanout-policy", {
      arn: this.fanoutTopic.arn,
      policy: policyDocument(this, "fanout-topic-policy", [
        {
          sid: "AccountManagesTopic",
          principals: [{ type: "AWS", identifiers: [`arn:${platform.partition}:iam::${platform.account}:root`] }],
          actions: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:DeleteTopic", "sns:AddPermission", "sns:RemovePermission"],
          resources: [this.fanoutTopic.arn],
        },
        {
          // Discernment trusts what arrives on this topic: only muster may put it there.
          sid: "OnlyMusterPublishes",
          effect: "Deny",
          principals: [{ type: "*", identifiers: ["*"] }],
          actions: ["sns:Publish"],
          resources: [this.fanoutTopic.arn],
          conditions: [{ test: "ArnNotEquals", variable: "aws:PrincipalArn", values: [this.muster.role.arn] }],
        },
      ]).json,
    });

    // --- Discernment ---------------------------------------------------------------------------
    const discernmentEnv = (account?: string): Record<string, string> => ({
      ALERT_TOPIC_ARN: props.alertTopicArn,
      FANOUT_TOPIC_ARN: this.fanoutTopic.arn,
      BASELINE_TABLE: this.baselineTable.name,
      ATHENA_WORKGROUP: this.workgroup.name,
      GLUE_DATABASE: glueName,
      GLUE_TABLE: "cloudtrail",
      LOG_BUCKET: props.bucketName,
      LOG_PREFIX: props.keyPrefix,
      LOG_LAYOUT: props.layout.type,
      ...(props.layout.type === "organization" ? { ORGANIZATION_ID: props.layout.organizationId } : {}),
      ...(props.regions ? { REGIONS: JSON.stringify([...new Set(props.regions)].sort()) } : {}),
      ANOMALY_SETTINGS: JSON.stringify(props.detection),
      ...(props.trustRole ? { TRUST_ROLE_NAME: props.trustRole.name, ...(props.trustRole.externalId ? { TRUST_ROLE_EXTERNAL_ID: props.trustRole.externalId } : {}) } : {}),
      ...(account ? { ACCOUNT_ID: account } : {}),
    });
    const sharedEnv = discernmentEnv();
    if (envSize(sharedEnv) > ENV_LIMIT_BYTES - 200) {
      throw new Error(`orgAnomaly: discernment's environment would be ${envSize(sharedEnv)} bytes (Lambda allows ${ENV_LIMIT_BYTES}); shorten detection.ignorePrincipals/ignoreActions or the region list.`);
    }
    const subscribe = (fn: NodeFunction, sid: string, filter: Record<string, string[]>) => {
      const permission = new LambdaPermission(this, `${sid}-invoke`, {
        statementId: "FanOutTopicInvokes",
        action: "lambda:InvokeFunction",
        functionName: fn.function.functionName,
        principal: "sns.amazonaws.com",
        sourceArn: this.fanoutTopic.arn,
      });
      this.subscriptions.push(
        new SnsTopicSubscription(this, `${sid}-subscription`, {
          topicArn: this.fanoutTopic.arn,
          protocol: "lambda",
          endpoint: fn.function.arn,
          filterPolicyScope: "MessageAttributes",
          filterPolicy: JSON.stringify(filter),
          dependsOn: [permission],
        }),
      );
    };
    this.discernment = new NodeFunction(this, "discernment", {
      entry: "functions/handlers/discernment.ts",
      name: "anomaly-discernment",
      description: "Compares an account's last hour of CloudTrail activity with its 90-day baseline and alerts on new behaviour",
      environment: sharedEnv,
      timeoutSeconds: props.discernment.timeoutSeconds,
      memoryMb: props.discernment.memoryMb,
      statements: discernmentStatements(props, ctx),
      reservedConcurrency: props.discernment.reservedConcurrency,
    });
    subscribe(this.discernment, "discernment", { dedicated: ["no"] });
    for (const account of dedicatedAccounts) {
      const fn = new NodeFunction(this, `discernment-${account}`, {
        entry: "functions/handlers/discernment.ts",
        name: `anomaly-discernment-${account}`,
        description: `Discernment for account ${account} only (reads only its logs)`,
        environment: discernmentEnv(account),
        timeoutSeconds: props.discernment.timeoutSeconds,
        memoryMb: props.discernment.memoryMb,
        statements: discernmentStatements(props, ctx, account),
        // No reservation: 150 reserved functions would eat the account's unreserved concurrency,
        // and one account gets one message per window anyway.
      });
      this.dedicated[account] = fn;
      subscribe(fn, `discernment-${account}`, { account: [account], dedicated: ["yes"] });
    }

    // --- Schedules -----------------------------------------------------------------------------
    ({ role: this.scheduleRole, dlq: this.scheduleDlq } = scheduleLauncher(this, {
      roleName: name("anomaly-scheduler"),
      description: "Starts the trailwatch muster runs of each business unit",
      dlqName: name("anomaly-schedule-dlq"),
      start: { sid: "StartMusterRuns", actions: ["lambda:InvokeFunction"], resources: [this.muster.function.arn] },
      kmsKeyArn: key.arn,
      account: platform.account,
    }));
    for (const u of props.units) {
      this.schedules.push(
        new SchedulerSchedule(this, `schedule-${u.name}`, {
          name: name(`anomaly-${u.name}`).slice(0, 64),
          description: `Muster run of business unit ${u.name} (window: ${u.periodMinutes} min + ${u.overlapMinutes} min overlap)`,
          scheduleExpression: u.schedule,
          scheduleExpressionTimezone: "UTC",
          flexibleTimeWindow: { mode: "OFF" },
          target: {
            arn: this.muster.function.arn,
            roleArn: this.scheduleRole.arn,
            // The scheduled time (not "now") fixes the window, so a retried run asks for the same hour.
            input: JSON.stringify({ unit: u.name, scheduledTime: "<aws.scheduler.scheduled-time>" }),
            retryPolicy: { maximumRetryAttempts: 5, maximumEventAgeInSeconds: 3600 },
            deadLetterConfig: { arn: this.scheduleDlq.arn },
          },
        }),
      );
    }

    // --- Alarms on every dead-letter queue -----------------------------------------------------
    const dlqs: [string, string, string][] = [
      ["schedule-dlq-alarm", this.scheduleDlq.name, "a muster run could not be started by its schedule"],
      ["muster-dlq-alarm", this.muster.dlq!.name, "a muster run failed after retries (some accounts were not checked this hour)"],
      ["discernment-dlq-alarm", this.discernment.dlq!.name, "a discernment run failed after retries (an account's hour was not checked)"],
      ...Object.entries(this.dedicated).map(([a, fn]): [string, string, string] => [`discernment-${a}-dlq-alarm`, fn.dlq!.name, `discernment of account ${a} failed after retries`]),
    ];
    for (const [cid, queue, what] of dlqs) {
      this.alarms.push(
        queueNotEmptyAlarm(this, cid, {
          queueName: queue,
          alarmName: `${queue}-not-empty`,
          description: `trailwatch org anomaly: ${what}; the event is in ${queue} (redrive it once the cause is fixed).`,
          alarmActions: [props.alertTopicArn],
          okActions: [props.alertTopicArn],
        }),
      );
    }
  }
}
