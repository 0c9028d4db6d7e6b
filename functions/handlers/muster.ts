import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { SNSClient } from "@aws-sdk/client-sns";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import * as z from "../core/zod";
import { runMuster, type AccountDirectory, type FanoutPublisher, type MusterResult } from "../core/anomaly/muster";
import { musterConfigSchema } from "../core/anomaly/units";
import { checkWindow } from "../core/anomaly/window";
import { OrganizationsDirectory } from "../adapters/aws/organizations-directory";
import { SnsFanoutPublisher } from "../adapters/aws/sns-fanout";
import { arnVar, clientSettings, createLogger, createMetrics, errorFields, jsonVar, parseEnv } from "./shared";

/**
 * Muster's environment: the business units (JSON, the same schema the deployment config uses),
 * the fan-out topic, and optionally a role in the management account to read Organizations with
 * (when muster is deployed in a delegated or security account).
 */
export const musterEnvSchema = z.object({
  MUSTER_CONFIG: jsonVar(musterConfigSchema, '{"units":[{"name":"payments","organizationalUnits":["ou-..."]}]}'),
  FANOUT_TOPIC_ARN: arnVar("sns", "arn:aws:sns:us-east-1:111122223333:trailwatch-anomaly-fanout"),
  ORGANIZATIONS_ROLE_ARN: z.optional(arnVar("iam", "arn:aws:iam::111122223333:role/trailwatch-organizations-read")),
  ORGANIZATIONS_CONCURRENCY: z._default(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(20)), 5),
});

/**
 * The event each unit's schedule sends (EventBridge Scheduler target input):
 * `{"unit": "payments", "scheduledTime": "<aws.scheduler.scheduled-time>"}`. A manual run may
 * omit the time (now is used) or name a window to backfill.
 */
export const musterEventSchema = z
  .object({
    unit: z.string().check(z.minLength(1)),
    scheduledTime: z.optional(z.string().check(z.refine((s) => !Number.isNaN(Date.parse(s)), "expected an ISO 8601 time"))),
    window: z.optional(z.strictObject({ from: z.string(), to: z.string() })),
  })
  .check(
    z.superRefine((e, ctx) => {
      const p = e.window && checkWindow(e.window);
      if (p) ctx.addIssue({ code: "custom", message: p, path: ["window"] });
    }),
  );

/** Credentials of a role, assumed on first use and again five minutes before they expire. */
export function assumedRoleCredentials(sts: STSClient, roleArn: string) {
  let cached: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > 5 * 60_000) return cached;
    const res = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "trailwatch-muster", DurationSeconds: 3600 }));
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

export interface MusterOverrides {
  directory?: AccountDirectory;
  fanout?: FanoutPublisher;
  logger?: Logger;
  now?: () => Date;
}

/** Builds the muster handler; configuration is validated on the first event and kept. */
export function createMusterHandler(env: Record<string, string | undefined> = process.env, overrides: MusterOverrides = {}) {
  const logger = overrides.logger ?? createLogger("muster");
  const metrics = createMetrics("muster");
  let deps: { config: z.output<typeof musterEnvSchema>["MUSTER_CONFIG"]; directory: AccountDirectory; fanout: FanoutPublisher } | undefined;

  function build() {
    const e = parseEnv("muster", musterEnvSchema, env);
    const needsClients = !overrides.directory || !overrides.fanout;
    const settings = needsClients ? clientSettings({ maxAttempts: 2 }) : undefined;
    const org = () =>
      new OrganizationsClient({
        ...settings!,
        credentials: e.ORGANIZATIONS_ROLE_ARN ? assumedRoleCredentials(new STSClient(settings!), e.ORGANIZATIONS_ROLE_ARN) : undefined,
      });
    return {
      config: e.MUSTER_CONFIG,
      directory: overrides.directory ?? new OrganizationsDirectory(org(), { concurrency: e.ORGANIZATIONS_CONCURRENCY }),
      fanout: overrides.fanout ?? new SnsFanoutPublisher(new SNSClient(settings!), e.FANOUT_TOPIC_ARN),
    };
  }

  return async (event: unknown, context?: Context): Promise<MusterResult> => {
    if (context) logger.addContext(context);
    deps ??= build();
    const parsed = musterEventSchema.safeParse(event);
    if (!parsed.success) {
      const i = parsed.error.issues[0]!;
      throw new Error(`muster: the event is not valid: ${i.path.join(".") || "(event)"}: ${i.message}; expected {"unit": "<name>", "scheduledTime": "<ISO time>"}`);
    }
    const ev = parsed.data;
    const scheduledTime = ev.scheduledTime ? new Date(ev.scheduledTime) : (overrides.now ?? (() => new Date()))();
    try {
      const res = await runMuster({ unit: ev.unit, scheduledTime, window: ev.window }, deps);
      metrics.addDimension("unit", res.unit);
      metrics.addMetric("MusterAccounts", "Count", res.accounts);
      metrics.addMetric("MusterPublishRequests", "Count", res.requests);
      logger.info("fanned out", { unit: res.unit, window: res.window, accounts: res.accounts, published: res.published, publishRequests: res.requests, skipped: res.skipped.length });
      if (res.skipped.length > 0) logger.info("accounts skipped", { skipped: res.skipped.slice(0, 100) });
      return res;
    } catch (err) {
      metrics.addMetric("MusterFailures", "Count", 1);
      logger.error("muster failed", { unit: ev.unit, ...errorFields(err) });
      throw err;
    } finally {
      metrics.publishStoredMetrics();
    }
  };
}

/** Lambda entry point: one schedule per business unit. */
export const handler = createMusterHandler();
