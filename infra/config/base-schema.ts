import * as z from "zod";
import { SEVERITIES } from "../../functions/core/alert/alert";
import { catalog } from "../../functions/core/rules/catalog";
import { ACCOUNT_ID, BUCKET_NAME, KMS_KEY_ARN, ORGANIZATION_ID, REGION, TRAIL_ARN } from "../../functions/core/aws/identifiers";
import { PARTITION_PATTERN, PARTITIONS } from "../../functions/core/aws/partition";
import { keyPrefixSchema, remediationSafetySchema } from "../../modules/platform/config-fields";
import { ruleSettingsMoved, type DeploymentRules } from "./rules";

/** 12 digits, as a string (JSON numbers lose leading zeros). */
export const accountId = z.string({ message: 'expected a 12-digit AWS account id in quotes, e.g. "111122223333"' }).regex(ACCOUNT_ID, {
  message: 'expected a 12-digit AWS account id in quotes, e.g. "111122223333"',
});
export const regionName = z.string().regex(REGION, { message: "expected an AWS region name such as eu-west-1" });
const trailArn = z.string().regex(TRAIL_ARN, {
  message: "expected a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>",
});
const kmsKeyArn = z.string().regex(KMS_KEY_ARN, {
  message: "expected a KMS key ARN arn:aws:kms:<region>:<account>:key/<key-id>",
});
const secretArn = z.string().regex(new RegExp(`^arn:(${PARTITION_PATTERN}):secretsmanager:[a-z0-9-]+:\\d{12}:secret:[A-Za-z0-9/_+=.@-]+$`), {
  message: "expected a Secrets Manager secret ARN arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters> (the full ARN, as the console shows it)",
});
const parameterName = z.string().regex(/^\/?[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/, {
  message: "expected an SSM parameter name such as /trailwatch/hec-token",
});
const bucketName = z.string().regex(BUCKET_NAME, { message: "expected an S3 bucket name (3-63 lowercase letters, digits, dots, hyphens)" });
const email = z.email({ message: "expected an email address such as soc@example.com" });

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** A remediation mode; a rule not listed is off. */
export const remediationMode = z.enum(["off", "dry-run", "apply"], { message: 'expected "off", "dry-run" or "apply"' });

/** Keys that look like someone is about to paste a secret into the config. */
const SECRET_KEYS = /^(token|hecToken|password|secret|apiKey)$/i;

const hecSchema = z
  .object({
    endpoint: z.url({ protocol: /^https$/, message: "expected the HEC base URL with https://, e.g. https://splunk.example.com:8088" }),
    tokenSecretArn: secretArn.optional(),
    tokenParameterName: parameterName.optional(),
    index: z.string().min(1).optional(),
    sourcetype: z.string().min(1).default("trailwatch:alert"),
    source: z.string().min(1).default("trailwatch"),
  })
  .catchall(z.unknown())
  .superRefine((hec, ctx) => {
    const known = new Set(["endpoint", "tokenSecretArn", "tokenParameterName", "index", "sourcetype", "source"]);
    for (const key of Object.keys(hec).filter((k) => !known.has(k))) {
      ctx.addIssue({
        code: "custom",
        path: [key],
        message: SECRET_KEYS.test(key)
          ? "never put the HEC token in config: store it in Secrets Manager or SSM (SecureString) and give tokenSecretArn or tokenParameterName"
          : `unknown key "${key}" (allowed: ${[...known].join(", ")})`,
      });
    }
    if (hec.tokenSecretArn && hec.tokenParameterName) {
      ctx.addIssue({ code: "custom", path: [], message: "give exactly one of tokenSecretArn and tokenParameterName, not both" });
    } else if (!hec.tokenSecretArn && !hec.tokenParameterName) {
      ctx.addIssue({ code: "custom", path: [], message: "missing the token reference: give tokenSecretArn (Secrets Manager) or tokenParameterName (SSM SecureString)" });
    }
  })
  .transform((hec): HecSink => {
    const common = { endpoint: hec.endpoint, index: hec.index, sourcetype: hec.sourcetype, source: hec.source };
    return hec.tokenSecretArn ? { ...common, tokenSecretArn: hec.tokenSecretArn } : { ...common, tokenParameterName: hec.tokenParameterName! };
  });

/** A validated HEC sink: exactly one token reference. */
export type HecSink = { endpoint: string; index?: string; sourcetype: string; source: string } & (
  | { tokenSecretArn: string; tokenParameterName?: undefined }
  | { tokenParameterName: string; tokenSecretArn?: undefined }
);

/** The top-level fields (capability sections are composed in `schema.ts`). */
export const baseShape = {
  /** Prefix of every deployed name and the stack name. */
  namePrefix: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,22}[a-z0-9]$/, { message: "expected 2-24 lowercase letters, digits or hyphens, starting with a letter, e.g. trailwatch" })
    .default("trailwatch"),
  /** Tags on every taggable resource. */
  tags: z.record(z.string().min(1).max(128), z.string().max(256)).default({}),
  /** Where trailwatch itself is deployed. */
  deployment: z.strictObject({
    account: accountId,
    homeRegion: regionName,
    partition: z.enum(PARTITIONS).default("aws"),
  }),
  /** Regions watched besides the home region (EventBridge rules are regional). */
  regions: z.array(regionName).default([]),
  /** Accounts in scope; absent means every account of the Organization. */
  accounts: z.array(accountId).optional(),
  organization: z
    .strictObject({
      id: z.string().regex(ORGANIZATION_ID, { message: "expected an Organization id such as o-a1b2c3d4e5" }),
      managementAccount: accountId,
      delegatedAdminAccount: accountId.optional(),
    })
    .optional(),
  /** Where CloudTrail delivers log files. */
  cloudtrailLogs: z
    .strictObject({
      bucket: bucketName,
      /** The trail's S3KeyPrefix, if any. */
      keyPrefix: keyPrefixSchema,
      /** `account`: AWSLogs/<account>/...; `organization`: AWSLogs/<org-id>/<account>/... (organization trail). */
      layout: z.enum(["account", "organization"], { message: 'expected "account" (AWSLogs/<account>/) or "organization" (AWSLogs/<org-id>/<account>/)' }),
      /** The key the trail encrypts log files with (SSE-KMS), if any. */
      kmsKeyArn: kmsKeyArn.optional(),
    })
    .optional(),
  /** Trails whose stopping is alerted and (with remediation apply) undone. */
  protectedTrails: z.array(trailArn).default([]),
  sinks: z.strictObject({
    emails: z.array(email).default([]),
    /** Lowest severity mailed. Default low: info alerts (the change audit, audit-trail entries) go to Splunk HEC, not to inboxes. */
    emailMinSeverity: z.enum(SEVERITIES, { message: `expected one of ${SEVERITIES.join(", ")}` }).default("low"),
    hec: hecSchema.optional(),
    /** Mail alerts a retro-hunt found in past logs too (they are left out of e-mail by default). */
    emailRetroHunt: z.boolean({ message: "expected true or false" }).default(false),
    /** Import every alert into Security Hub as an ASFF finding (Security Hub must be enabled in the home region). */
    securityHub: z
      .strictObject({
        enabled: z.boolean({ message: "expected true or false" }),
        minSeverity: z.enum(SEVERITIES, { message: `expected one of ${SEVERITIES.join(", ")}` }).default("info"),
      })
      .optional(),
  }),
  /** Remediation per rule id: off (default), dry-run, apply. IAM for a remediation is granted only for apply. */
  remediation: z.record(z.string(), remediationMode).default({}),
  /** Safety checks of every remediation: the age limit (default 60 minutes) and protected targets besides the built-in ones. */
  remediationSafety: remediationSafetySchema,
  /**
   * Tuning and your own rules: per rule id `enabled`, `severity`, `settings` and `suppressions`;
   * `shared` settings, `organizationalUnits` (the accounts of the OUs suppressions name) and the
   * `folder` of your own rules (relative to the config file). Validated with the rules
   * (`infra/config/rules.ts`, after this schema); the shape of `trailwatch scan --settings` files.
   */
  rules: z.record(z.string(), z.unknown()).default({}),
  /** Replaced by `rules` (refused with the converted form; see `ruleSettingsMoved`). */
  ruleSettings: z.unknown().optional(),
  /**
   * Deletion protection of the resources that hold what cannot be recomputed from the logs in
   * minutes (the anomaly baseline: 90 days of learned behaviour). On by default; to remove the
   * deployment, set it to false and apply first (README, "Remove it").
   */
  deletionProtection: z.boolean({ message: "expected true or false" }).default(true),
  logRetentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), { message: `expected one of CloudWatch's retention values: ${LOG_RETENTION_DAYS.join(", ")}` })
    .default(365),
  /** Terraform state in S3 (recommended for real deployments); default: local state in cdktf.out. */
  stateBackend: z
    .strictObject({ bucket: bucketName, key: z.string().min(1), region: regionName, dynamodbTable: z.string().min(3).optional() })
    .optional(),
};

/** The top level after validation: `rules` is then the validated section with the rules of its folder. */
export type BaseConfig = Omit<z.output<z.ZodObject<typeof baseShape, z.core.$strict>>, "rules" | "ruleSettings"> & { rules: DeploymentRules };

/** Cross-field rules of the top level; issues carry the path to fix. */
export function checkBase(cfg: BaseConfig, ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  cfg.regions.forEach((r, i) => {
    if (seen.has(r)) ctx.addIssue({ code: "custom", path: ["regions", i], message: `region ${r} is listed twice` });
    seen.add(r);
  });
  if (cfg.sinks.emails.length === 0 && !cfg.sinks.hec && !cfg.sinks.securityHub?.enabled) {
    ctx.addIssue({ code: "custom", path: ["sinks"], message: "no alert sink: give at least one address in emails, a hec sink or securityHub, otherwise alerts reach nobody" });
  }
  if (cfg.cloudtrailLogs?.layout === "organization" && !cfg.organization) {
    ctx.addIssue({ code: "custom", path: ["cloudtrailLogs", "layout"], message: 'layout "organization" needs the organization section (its id is part of the key AWSLogs/<org-id>/<account>/)' });
  }
  if (cfg.organization) {
    const { managementAccount, delegatedAdminAccount } = cfg.organization;
    if (cfg.deployment.account !== managementAccount && cfg.deployment.account !== delegatedAdminAccount) {
      ctx.addIssue({
        code: "custom",
        path: ["deployment", "account"],
        message: `account ${cfg.deployment.account} is neither the management account (${managementAccount}) nor the delegated administrator${delegatedAdminAccount ? ` (${delegatedAdminAccount})` : " (organization.delegatedAdminAccount is not set)"}; only those can list the Organization's accounts`,
      });
    }
  }
  const byId = new Map(catalog.map((r) => [r.id, r]));
  for (const [id, mode] of Object.entries(cfg.remediation)) {
    const rule = byId.get(id);
    if (!rule) {
      ctx.addIssue({ code: "custom", path: ["remediation", id], message: `unknown rule id "${id}" (known: ${[...byId.keys()].sort().join(", ")})` });
    } else if (!rule.remediation && mode !== "off") {
      const withOne = catalog.filter((r) => r.remediation).map((r) => r.id).sort();
      ctx.addIssue({ code: "custom", path: ["remediation", id], message: `rule "${id}" has no remediation; only these rules do: ${withOne.join(", ")}` });
    }
  }
  if ((cfg as { ruleSettings?: unknown }).ruleSettings !== undefined) {
    ctx.addIssue({ code: "custom", path: ["ruleSettings"], message: ruleSettingsMoved((cfg as { ruleSettings?: unknown }).ruleSettings) });
  }
}
