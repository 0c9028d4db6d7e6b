import * as z from "zod";
import { anomalySettingsSchema } from "../../functions/core/anomaly/settings";
import { businessUnitSchema } from "../../functions/core/anomaly/units";
import { BUCKET_NAME, KMS_KEY_ARN, logLayoutSchema, normalizedKeyPrefixSchema, ORGANIZATION_ID } from "../platform/config-fields";

const ROLE_ARN = /^arn:(aws|aws-us-gov|aws-cn):iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const accountId = z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id in quotes" });
const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/, { message: "expected a region name such as eu-west-1" });

/** CloudTrail's key layout in the bucket (as in the log analyzer's section). */
export const anomalyLayoutSchema = logLayoutSchema;

/**
 * Where discernment runs.
 * - `shared` (default): one function for every account; `reservedConcurrency` caps how many
 *   Athena queries run at once. Scales to thousands of accounts with one function, one role, one DLQ.
 * - `per-account`: a function per listed account (its own role reading only that account's logs,
 *   its own DLQ, logs and concurrency), subscribed with a filter policy on the account; accounts not
 *   listed still go to the shared function, so no account is ever left without one. SNS allows 200
 *   filter policies per account and region by default, and each function is a role, log group and
 *   DLQ in the plan: keep the list to the accounts that deserve isolation.
 */
export const discernmentDeploymentSchema = z
  .strictObject({
    mode: z.enum(["shared", "per-account"], { message: 'expected "shared" or "per-account"' }).default("shared"),
    accounts: z.array(accountId).max(150, { message: "at most 150 dedicated functions (SNS filter policies are limited to 200 per account and region)" }).default([]),
    /** Shared function: most concurrent runs (and so Athena queries); Athena's default quota is 20-25 active DML queries. */
    reservedConcurrency: z.number().int().min(1).max(1000).default(10),
    timeoutSeconds: z.number().int().min(60).max(900).default(600),
    memoryMb: z.number().int().min(256).max(10240).default(512),
  })
  .superRefine((d, ctx) => {
    if (d.mode === "per-account" && d.accounts.length === 0) ctx.addIssue({ code: "custom", path: ["accounts"], message: 'mode "per-account" needs the accounts that get their own function' });
    if (d.mode === "shared" && d.accounts.length > 0) ctx.addIssue({ code: "custom", path: ["accounts"], message: 'accounts are only used with mode "per-account"' });
    const seen = new Set<string>();
    d.accounts.forEach((a, i) => {
      if (seen.has(a)) ctx.addIssue({ code: "custom", path: ["accounts", i], message: `account ${a} is listed twice` });
      seen.add(a);
    });
  });

/** Settings of a deployed organization anomaly detector (the `enabled: true` form of the section). */
export const orgAnomalySettingsSchema = z
  .strictObject({
    enabled: z.literal(true),
    /** The bucket CloudTrail delivers to (inherited from `cloudtrailLogs`). */
    bucketName: z.string().regex(BUCKET_NAME, { message: "expected an S3 bucket name" }),
    keyPrefix: normalizedKeyPrefixSchema,
    layout: anomalyLayoutSchema.default({ type: "account" }),
    /** The key the trail encrypts log files with, if any (discernment and Athena need kms:Decrypt). */
    logKmsKeyArn: z.string().regex(KMS_KEY_ARN, { message: "expected a KMS key ARN" }).optional(),
    /** The Organization's management account (inherited): Organizations ARNs (accounts, OUs, root) name it. */
    managementAccountId: accountId.optional(),
    /** The Organization's id (inherited from `organization.id`): muster's Organizations grants are scoped to its OUs, root and accounts. */
    organizationId: z.string().regex(ORGANIZATION_ID, { message: "expected an Organization id such as o-a1b2c3d4e5" }).optional(),
    /** A role muster assumes to read Organizations, when this deployment may not read it itself. */
    organizationsRoleArn: z.string().regex(ROLE_ARN, { message: "expected an IAM role ARN" }).optional(),
    /** Business units, each with its accounts (OUs or a tag) and its schedule. */
    units: z.array(businessUnitSchema).min(1, { message: "give at least one business unit" }),
    /** Accounts never watched by this capability, in any unit. */
    excludeAccounts: z.array(accountId).default([]),
    /**
     * Regions to query. Absent (recommended): discernment lists the regions the trail wrote for each
     * account (one S3 LIST a run), so a newly enabled region is covered without a redeploy; the Glue
     * table's `region` partition is then `injected`. A list makes it an `enum` (handy for console
     * queries) and reads only those regions: list every region enabled in the Organization.
     */
    regions: z.array(region).min(1).optional(),
    discernment: discernmentDeploymentSchema.default({ mode: "shared", accounts: [], reservedConcurrency: 10, timeoutSeconds: 600, memoryMb: 512 }),
    /** Detection settings (baseline days, warm-up, ignore lists...), see core/anomaly/settings.ts. */
    detection: z._default(anomalySettingsSchema, anomalySettingsSchema.parse({})),
    /** Optional read-only role in every member account, for the trust policy of alerting roles (severity). */
    trustRole: z.strictObject({ name: z.string().regex(/^[\w+=,.@-]{1,64}$/, { message: "expected an IAM role name" }), externalId: z.string().min(2).max(1224).optional() }).optional(),
    athena: z
      .strictObject({
        /** A query scanning more is cancelled (Athena's minimum is 10 MB). */
        bytesScannedCutoffMb: z.number().int().min(10).max(10 * 1024 * 1024).default(2048),
        /** First day the date projection covers. */
        projectionStartDay: z.string().regex(/^\d{4}\/\d{2}\/\d{2}$/, { message: "expected YYYY/MM/DD" }).default("2020/01/01"),
        /** Days Athena's result files are kept. */
        resultRetentionDays: z.number().int().min(1).max(365).default(7),
      })
      .default({ bytesScannedCutoffMb: 2048, projectionStartDay: "2020/01/01", resultRetentionDays: 7 }),
    /** Point-in-time recovery of the baseline table (35 days of backups). */
    baselinePointInTimeRecovery: z.boolean().default(true),
  })
  .superRefine((c, ctx) => {
    const names = new Set<string>();
    c.units.forEach((u, i) => {
      if (names.has(u.name)) ctx.addIssue({ code: "custom", path: ["units", i, "name"], message: `duplicate unit name "${u.name}"` });
      names.add(u.name);
      if (u.tag && !c.managementAccountId && !c.organizationsRoleArn) {
        ctx.addIssue({ code: "custom", path: ["units", i, "tag"], message: "a tag unit needs managementAccountId (top-level organization.managementAccount) to scope organizations:ListTagsForResource, or organizationsRoleArn" });
      }
      const missing = [...(c.managementAccountId ? [] : ["managementAccountId"]), ...(anomalyOrganizationId(c) ? [] : ["organizationId"])];
      if (u.organizationalUnits && !c.organizationsRoleArn && missing.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["units", i, "organizationalUnits"],
          message:
            `an OU unit needs ${missing.join(" and ")} (the top-level organization section: { "id": "o-...", "managementAccount": "..." }) ` +
            "to scope organizations:ListAccountsForParent and ListOrganizationalUnitsForParent to the Organization's root and OUs, or organizationsRoleArn",
        });
      }
    });
  });

/** The Organization's id: `organizationId`, else the organization layout's. */
export function anomalyOrganizationId(c: { organizationId?: string | undefined; layout?: unknown }): string | undefined {
  const layout = c.layout as { type?: string; organizationId?: string } | undefined;
  return c.organizationId ?? (layout?.type === "organization" ? layout.organizationId : undefined);
}

/** The `orgAnomaly` section of the deployment config; `{ enabled: false }` deploys nothing. */
export const orgAnomalyConfigSchema = z.discriminatedUnion("enabled", [z.looseObject({ enabled: z.literal(false) }), orgAnomalySettingsSchema]);

export type OrgAnomalyConfig = z.infer<typeof orgAnomalyConfigSchema>;
export type OrgAnomalySettings = z.output<typeof orgAnomalySettingsSchema>;
export type OrgAnomalySettingsInput = z.input<typeof orgAnomalySettingsSchema>;
