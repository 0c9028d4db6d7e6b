import { AthenaClient } from "@aws-sdk/client-athena";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { STSClient } from "@aws-sdk/client-sts";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import * as z from "../core/zod";
import type { BaselineStore } from "../core/anomaly/baseline";
import { discern, type AnomalyActivityQuery, type DiscernmentResult, type SkippedFile } from "../core/anomaly/discern";
import { KEY_PREFIX, layoutOf as trailLayoutOf, type LogLayout } from "../core/aws/cloudtrail-keys";
import { ACCOUNT_ID, BUCKET_NAME, ORGANIZATION_ID, REGION } from "../core/aws/identifiers";
import { parseFanoutMessage, type FanoutMessage } from "../core/anomaly/message";
import { anomalySettingsSchema } from "../core/anomaly/settings";
import type { RoleTrustLookup } from "../core/anomaly/trust";
import type { AlertSink } from "../core/ports";
import { AthenaActivityQuery } from "../adapters/aws/athena-activity";
import { S3RegionLister } from "../adapters/aws/athena-regions";
import { DynamoBaselineStore } from "../adapters/aws/dynamodb-baseline";
import { IamRoleTrustLookup } from "../adapters/aws/iam-role-trust";
import { SnsAlertSink } from "../adapters/aws/sns-alert-sink";
import { arnVar, clientSettings, createLogger, createMetrics, errorFields, jsonVar, parseEnv } from "./shared";

/** Discernment's environment (set by the org-anomaly module). */
export const discernmentEnvSchema = z
  .object({
    ALERT_TOPIC_ARN: arnVar("sns", "arn:aws:sns:us-east-1:111122223333:trailwatch-alerts"),
    FANOUT_TOPIC_ARN: arnVar("sns", "arn:aws:sns:us-east-1:111122223333:trailwatch-anomaly-fanout"),
    /** Set for a dedicated (per-account) function: it refuses messages for any other account. */
    ACCOUNT_ID: z.optional(z.string().check(z.regex(ACCOUNT_ID, "expected a 12-digit account id"))),
    BASELINE_TABLE: z.string().check(z.regex(/^[A-Za-z0-9_.-]{3,255}$/, "expected a DynamoDB table name")),
    ATHENA_WORKGROUP: z.string().check(z.regex(/^[A-Za-z0-9._-]{1,128}$/, "expected an Athena workgroup name")),
    GLUE_DATABASE: z.string().check(z.regex(/^[a-z0-9_]{1,255}$/, "expected a lower-case Glue database name")),
    GLUE_TABLE: z.string().check(z.regex(/^[a-z0-9_]{1,255}$/, "expected a lower-case Glue table name")),
    LOG_BUCKET: z.string().check(z.regex(BUCKET_NAME, "expected an S3 bucket name")),
    LOG_PREFIX: z._default(z.string().check(z.regex(KEY_PREFIX, "expected a key prefix ending in '/', or nothing")), ""),
    LOG_LAYOUT: z.enum(["account", "organization"]),
    ORGANIZATION_ID: z.optional(z.string().check(z.regex(ORGANIZATION_ID, "expected o-xxxxxxxxxx"))),
    /** A fixed region list (JSON array); absent: the regions are listed from S3 per account. */
    REGIONS: z.optional(jsonVar(z.array(z.string().check(z.regex(REGION, "expected a region such as eu-west-1"))).check(z.minLength(1)), '["us-east-1","eu-west-1"]')),
    ANOMALY_SETTINGS: z._default(jsonVar(anomalySettingsSchema, '{"warmUpDays":14}'), () => anomalySettingsSchema.parse({})),
    TRUST_ROLE_NAME: z.optional(z.string().check(z.regex(/^[\w+=,.@-]{1,64}$/, "expected an IAM role name"))),
    TRUST_ROLE_EXTERNAL_ID: z.optional(z.string().check(z.minLength(2), z.maxLength(1224))),
  })
  .check(
    z.superRefine((e, ctx) => {
      if (e.LOG_LAYOUT === "organization" && !e.ORGANIZATION_ID) ctx.addIssue({ code: "custom", path: ["ORGANIZATION_ID"], message: "is required when LOG_LAYOUT is organization" });
    }),
  );

export type DiscernmentEnv = z.output<typeof discernmentEnvSchema>;

/** The part of an SNS-to-Lambda event discernment reads. */
const snsEventSchema = z.object({
  Records: z
    .array(z.object({ EventSource: z.literal("aws:sns"), Sns: z.object({ TopicArn: z.string(), Message: z.string(), MessageId: z.optional(z.string()) }) }))
    .check(z.minLength(1)),
});

export interface DiscernmentOverrides {
  activity?: AnomalyActivityQuery;
  baseline?: BaselineStore;
  alerts?: AlertSink;
  trust?: RoleTrustLookup;
  logger?: Logger;
}

/** The layout of the trail's files, from the environment. */
export function layoutOf(e: DiscernmentEnv): LogLayout {
  return trailLayoutOf(e.LOG_LAYOUT === "organization" ? e.ORGANIZATION_ID : undefined);
}

/**
 * Builds the discernment handler. It processes every record of the event (not just the first),
 * accepts only messages from the fan-out topic (and, for a dedicated function, only for its own
 * account), validates each message, and runs one discernment per message. Any failure fails the
 * invocation after the other records were tried; Lambda retries it and then sends it to the DLQ.
 */
export function createDiscernmentHandler(env: Record<string, string | undefined> = process.env, overrides: DiscernmentOverrides = {}) {
  const logger = overrides.logger ?? createLogger("discernment");
  const metrics = createMetrics("discernment");
  let built: { e: DiscernmentEnv; activity: (timeoutMs: number) => AnomalyActivityQuery; baseline: BaselineStore; alerts: AlertSink; trust?: RoleTrustLookup } | undefined;

  function build() {
    const e = parseEnv("discernment", discernmentEnvSchema, env);
    const layout = layoutOf(e);
    const settings = () => clientSettings({ maxAttempts: 3 });
    let athena: AthenaClient | undefined;
    let s3: S3Client | undefined;
    const activity = (timeoutMs: number): AnomalyActivityQuery =>
      overrides.activity ??
      new AthenaActivityQuery((athena ??= new AthenaClient(settings())), {
        workGroup: e.ATHENA_WORKGROUP,
        database: e.GLUE_DATABASE,
        table: e.GLUE_TABLE,
        bucket: e.LOG_BUCKET,
        keyPrefix: e.LOG_PREFIX,
        layout,
        // The log bucket may be in another region than this function: follow S3's redirect there.
        regions: e.REGIONS ?? new S3RegionLister((s3 ??= new S3Client({ ...settings(), followRegionRedirects: true })), e.LOG_BUCKET, layout, e.LOG_PREFIX),
        deliveryPadMinutes: e.ANOMALY_SETTINGS.deliveryPadMinutes,
        includeServicePrincipals: e.ANOMALY_SETTINGS.includeServicePrincipals,
        timeoutMs,
      });
    return {
      e,
      activity,
      baseline: overrides.baseline ?? new DynamoBaselineStore(new DynamoDBClient(settings()), e.BASELINE_TABLE),
      alerts: overrides.alerts ?? new SnsAlertSink(new SNSClient(settings()), e.ALERT_TOPIC_ARN),
      trust: overrides.trust ?? (e.TRUST_ROLE_NAME ? new IamRoleTrustLookup(new STSClient(settings()), { roleName: e.TRUST_ROLE_NAME, externalId: e.TRUST_ROLE_EXTERNAL_ID }) : undefined),
    };
  }

  async function one(message: FanoutMessage, timeoutMs: number): Promise<DiscernmentResult & { skipped: readonly SkippedFile[] }> {
    const b = built!;
    const activity = b.activity(timeoutMs);
    const res = await discern(
      { account: message.account.id, accountName: message.account.name, unit: message.unit, window: message.window },
      { activity, baseline: b.baseline, alerts: b.alerts, trust: b.trust, settings: b.e.ANOMALY_SETTINGS },
    );
    return { ...res, skipped: activity.lastSkipped ?? [] };
  }

  return async (event: unknown, context?: Context): Promise<{ processed: number; alerts: number }> => {
    if (context) logger.addContext(context);
    built ??= build();
    const parsed = snsEventSchema.safeParse(event);
    if (!parsed.success) throw new Error(`discernment: not an SNS event (${parsed.error.issues[0]!.path.join(".")}: ${parsed.error.issues[0]!.message})`);
    const failures: string[] = [];
    let alerts = 0;
    for (const [i, rec] of parsed.data.Records.entries()) {
      const where = `record ${i} (${rec.Sns.MessageId ?? "no id"})`;
      try {
        if (rec.Sns.TopicArn !== built.e.FANOUT_TOPIC_ARN) throw new Error(`came from ${rec.Sns.TopicArn}, not the fan-out topic ${built.e.FANOUT_TOPIC_ARN}; ignored`);
        const message = parseFanoutMessage(rec.Sns.Message);
        if (built.e.ACCOUNT_ID && message.account.id !== built.e.ACCOUNT_ID) throw new Error(`is for account ${message.account.id} but this function serves ${built.e.ACCOUNT_ID}; check the subscription filter`);
        // Leave 20 s of the invocation for writing the baseline and sending alerts.
        const timeoutMs = Math.max(10_000, (context?.getRemainingTimeInMillis?.() ?? 300_000) - 20_000);
        const res = await one(message, timeoutMs);
        alerts += res.alerts.length;
        metrics.addMetric("AnomalyAlerts", "Count", res.alerts.length);
        metrics.addMetric("AnomalyNewActions", "Count", res.stats.newTuples);
        metrics.addMetric("ActivityTuples", "Count", res.stats.tuples);
        metrics.addMetric("BaselineWriteRequests", "Count", res.stats.writes.requests);
        logger.info("discernment done", { account: message.account.id, unit: message.unit, window: message.window, alerts: res.alerts.length, ...res.stats });
        if (res.skipped.length > 0) {
          // The window ran without them: a person can read (or repair) these files; none of their records were used.
          metrics.addMetric("DamagedFilesSkipped", "Count", res.skipped.length);
          logger.warn("damaged log files left out of the activity query", { account: message.account.id, window: message.window, skipped: res.skipped });
        }
      } catch (err) {
        failures.push(`${where}: ${(err as Error).message}`);
        metrics.addMetric("DiscernmentFailures", "Count", 1);
        logger.error("discernment failed", { where, ...errorFields(err) });
      }
    }
    metrics.publishStoredMetrics();
    if (failures.length > 0) throw new Error(`discernment: ${failures.length} of ${parsed.data.Records.length} message(s) failed: ${failures.join(" | ")}`);
    return { processed: parsed.data.Records.length, alerts };
  };
}

/** Lambda entry point: SNS messages from muster, one per account and window. */
export const handler = createDiscernmentHandler();
