import * as z from "zod";
import { catalog } from "../../functions/core/rules/catalog";
import { BUCKET_NAME, KMS_KEY_ARN, logLayoutSchema, normalizedKeyPrefixSchema, ORGANIZATION_ID, remediationSafetySchema } from "../platform/config-fields";

const TOPIC_ARN = /^arn:(aws|aws-us-gov|aws-cn|aws-iso[a-z-]*):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,256})$/;

/** How a rule's remediation runs: not at all, described only, or carried out. */
export const remediationModeSchema = z.enum(["off", "dry-run", "apply"]);
export type RemediationMode = z.infer<typeof remediationModeSchema>;

/** Splits an SNS topic ARN. */
export function parseTopicArn(arn: string): { partition: string; region: string; account: string; name: string } {
  const m = TOPIC_ARN.exec(arn);
  if (!m) throw new Error(`not an SNS topic ARN: ${arn}`);
  return { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! };
}

/** The choices of `notification`, with what each does to the trail bucket (also the error text when it is missing). */
export const NOTIFICATION_CHOICES =
  'choose how new log files are announced, which decides what trailwatch does to the trail bucket: ' +
  '{ "source": "cloudtrail-sns", "topicArn": "<the trail\'s SNS topic>" } subscribes a queue to the trail\'s own topic (the bucket is not touched); ' +
  '{ "source": "eventbridge" } adds an EventBridge rule for the bucket\'s "Object Created" events (the bucket is not touched; EventBridge notifications must be on for it); ' +
  '{ "source": "s3", "manageBucketNotification": false } leaves the bucket to its owner, who adds a notification to the queue; ' +
  '{ "source": "s3", "manageBucketNotification": true } writes the bucket\'s whole notification configuration: an existing one is replaced at apply and removed at destroy';

/**
 * Where new log files are announced. There is no default: one choice writes the trail bucket's
 * notification configuration, which S3 keeps as one document per bucket, so choosing it silently
 * would replace what other consumers (a SIEM's queue, another tool) already receive.
 * - `cloudtrail-sns`: the SNS topic the trail notifies on each delivery (`SnsTopicARN` of the
 *   trail); the queue subscribes with raw message delivery. Adds to what exists.
 * - `eventbridge`: a rule on the default event bus for the bucket's "Object Created" events under
 *   the log prefix. Adds to what exists; the bucket (in this account and the home region) must
 *   have EventBridge notifications on.
 * - `s3` with `manageBucketNotification: false`: nothing on the bucket; its owner points an
 *   `s3:ObjectCreated:*` notification at the queue (`bucketOwnerAccountId` for another account's bucket).
 * - `s3` with `manageBucketNotification: true`: this deployment owns the bucket's whole notification
 *   configuration (every ObjectCreated event under the prefix: Put, Post, Copy,
 *   CompleteMultipartUpload); only for a bucket with no other notification.
 */
export const notificationSchema = z.discriminatedUnion(
  "source",
  [
    z.strictObject({
      source: z.literal("s3"),
      manageBucketNotification: z.boolean({
        error: (i) =>
          i.input === undefined
            ? "required: true writes the trail bucket's whole notification configuration (an existing one is replaced at apply and removed at destroy); false leaves the bucket to its owner"
            : "expected true or false",
      }),
      /** Account that owns the bucket, when it is not the deployment account (organization log archive). */
      bucketOwnerAccountId: z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id" }).optional(),
    }),
    z.strictObject({
      source: z.literal("cloudtrail-sns"),
      topicArn: z.string().regex(TOPIC_ARN, { message: "expected an SNS topic ARN arn:aws:sns:<region>:<account>:<name>" }),
    }),
    z.strictObject({ source: z.literal("eventbridge") }),
  ],
  {
    error: (i) => {
      if (i.input === undefined) return `required: ${NOTIFICATION_CHOICES}`;
      if (typeof i.input !== "object" || i.input === null || Array.isArray(i.input)) return `expected an object: ${NOTIFICATION_CHOICES}`;
      const source = (i.input as { source?: unknown }).source;
      return source === undefined ? `"source" is required: ${NOTIFICATION_CHOICES}` : `unknown source ${JSON.stringify(source)}: ${NOTIFICATION_CHOICES}`;
    },
  },
);
export type NotificationSettings = z.infer<typeof notificationSchema>;

/** CloudTrail's key layout in the bucket. */
export const layoutSchema = logLayoutSchema;

/** An IAM role name without a path. */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** What STS accepts as an external id. */
const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;
/** The organization root (`r-...`) or an OU (`ou-...`): what a service-managed stack set deploys to. */
const DEPLOYMENT_TARGET = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$/;

/**
 * The role the remediator assumes in the Organization's member accounts to remediate their events
 * (with an organization trail the analyzer sees every account's events). It is deployed to the
 * accounts of `organizationalUnitIds` by a service-managed CloudFormation stack set, trusted only by
 * the remediator's role (and `externalId` when set), with the actions of the remediations configured
 * `apply`. Without it events of other accounts are alerted, and their remediation skipped.
 */
export const remediationMemberRoleSchema = z.strictObject({
  name: z.string().regex(ROLE_NAME, { message: "expected an IAM role name without a path (1-64 letters, digits or +=,.@_-), e.g. trailwatch-remediation" }),
  /** Checked by the member role's trust policy (`sts:ExternalId`). It is not a secret: it is in the function's environment and the Terraform state. */
  externalId: z.string().regex(EXTERNAL_ID, { message: "expected 2-1224 letters, digits or +=,.@:/_- (what STS accepts as an external id)" }).optional(),
  /** The organization root (`r-...`) or the OUs (`ou-...`) whose accounts get the role (new accounts too: auto deployment). */
  organizationalUnitIds: z
    .array(z.string().regex(DEPLOYMENT_TARGET, { message: "expected the organization root id (r-xxxx) or an OU id (ou-xxxx-xxxxxxxx)" }))
    .min(1, { message: "list the organization root (r-xxxx) or the OUs (ou-xxxx-xxxxxxxx) whose accounts get the member role" }),
});
export type RemediationMemberRole = z.infer<typeof remediationMemberRoleSchema>;

/** Settings of a deployed log analyzer (the `enabled: true` form of the config section). */
export const logAnalyzerSettingsSchema = z
  .strictObject({
    enabled: z.literal(true),
    /** The bucket CloudTrail delivers to. It is not created or owned here; it must be in the home region. */
    bucketName: z.string().regex(BUCKET_NAME, { message: "expected an S3 bucket name" }),
    /** The trail's S3 key prefix (`S3KeyPrefix`), without or with the trailing slash; empty when none. */
    keyPrefix: normalizedKeyPrefixSchema,
    layout: layoutSchema.default({ type: "account" }),
    /** Required: how new log files are announced, and so what is done to the trail bucket (see {@link notificationSchema}). */
    notification: notificationSchema,
    /** The KMS key the trail encrypts log files with (SSE-KMS), if any: the analyzer needs kms:Decrypt on it. */
    logKmsKeyArn: z.string().regex(KMS_KEY_ARN, { message: "expected a KMS key ARN" }).optional(),
    /** Remediation per rule id; a rule not listed is `off`. IAM for a remediation is granted only for `apply`. */
    remediation: z.record(z.string(), remediationModeSchema).default({}),
    /** The age limit and the protected targets of every remediation (inherited from the top-level `remediationSafety`). */
    remediationSafety: remediationSafetySchema,
    /** Remediate member accounts' events through a role there (see {@link remediationMemberRoleSchema}); default: own account only. */
    remediationMemberRole: remediationMemberRoleSchema.optional(),
    /** The Organization's id (inherited from the top-level `organization`): bounds the member role grant to it. */
    organizationId: z.string().regex(ORGANIZATION_ID, { message: "expected an Organization id such as o-a1b2c3d4e5" }).optional(),
    /** The Organization's management account (inherited): the member-role stack set is created as it, or as a delegated administrator. */
    managementAccountId: z.string().regex(/^\d{12}$/, { message: "expected a 12-digit account id" }).optional(),
    /** Log-file notifications per invocation. */
    batchSize: z.number().int().min(1).max(10000).default(10),
    /** How long Lambda gathers a batch (SQS requires at least 1 s when batchSize > 10). */
    maxBatchingWindowSeconds: z.number().int().min(0).max(300).default(5),
    /** Upper bound of concurrent invocations from the queue (Lambda's minimum is 2); default unbounded. */
    maxConcurrency: z.number().int().min(2).max(1000).optional(),
    /**
     * How long a processed log file is remembered, so a re-delivered notification is not analysed
     * twice. It must outlast the DLQ's 14-day retention: a notification re-driven from the DLQ on its
     * last day must still find its record.
     */
    idempotencyTtlDays: z
      .number()
      .int()
      .min(15, { message: "must be at least 15 days: longer than the DLQ keeps a notification (14 days)" })
      .max(365)
      .default(15),
    timeoutSeconds: z.number().int().min(10).max(900).default(120),
    memoryMb: z.number().int().min(256).max(10240).default(1024),
  })
  .superRefine((cfg, ctx) => {
    // Runs even when a field failed its own check (zod continues): look only at well-formed parts.
    const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
    if (cfg.batchSize > 10 && cfg.maxBatchingWindowSeconds < 1) {
      ctx.addIssue({ code: "custom", path: ["maxBatchingWindowSeconds"], message: "must be at least 1 when batchSize is above 10 (an SQS event source rule)" });
    }
    const byId = new Map(catalog.map((r) => [r.id, r]));
    for (const [id, mode] of Object.entries(isRecord(cfg.remediation) ? cfg.remediation : {})) {
      const rule = byId.get(id);
      if (!rule) {
        ctx.addIssue({ code: "custom", path: ["remediation", id], message: `unknown rule id "${id}" (known: ${[...byId.keys()].sort().join(", ")})` });
      } else if (!rule.remediation && mode !== "off") {
        const withRemediation = catalog.filter((r) => r.remediation).map((r) => r.id).sort();
        ctx.addIssue({ code: "custom", path: ["remediation", id], message: `rule "${id}" has no remediation (rules with one: ${withRemediation.join(", ")})` });
      }
    }
    if (cfg.remediationMemberRole) {
      const layoutOrg = isRecord(cfg.layout) && cfg.layout.type === "organization" ? cfg.layout.organizationId : undefined;
      if (cfg.organizationId && layoutOrg && cfg.organizationId !== layoutOrg) {
        ctx.addIssue({ code: "custom", path: ["organizationId"], message: `is ${cfg.organizationId} but layout.organizationId is ${layoutOrg}; they must name the same Organization` });
      }
      const missing = [...(cfg.organizationId || layoutOrg ? [] : ["organizationId"]), ...(cfg.managementAccountId ? [] : ["managementAccountId"])];
      if (missing.length > 0) {
        ctx.addIssue({
          code: "custom",
          path: ["remediationMemberRole"],
          message:
            `needs the Organization's ${missing.join(" and ")} (set the top-level organization section: { "id": "o-...", "managementAccount": "..." }): ` +
            "the member role is granted only within the Organization, and its stack set is created as the management account or a delegated administrator",
        });
      }
    }
  });

/**
 * The `logAnalyzer` section of the deployment config. `{ enabled: false }` deploys nothing and needs
 * no other field (other fields are then ignored).
 */
export const logAnalyzerConfigSchema = z.discriminatedUnion("enabled", [
  z.looseObject({ enabled: z.literal(false) }),
  logAnalyzerSettingsSchema,
]);

export type LogAnalyzerConfig = z.infer<typeof logAnalyzerConfigSchema>;
/** A parsed, enabled log analyzer section: what the `LogAnalyzer` construct takes. */
export type LogAnalyzerSettings = z.infer<typeof logAnalyzerSettingsSchema>;
/** The same before defaults are applied (what a config file holds). */
export type LogAnalyzerSettingsInput = z.input<typeof logAnalyzerSettingsSchema>;

/** The Organization the member role is bounded to: `organizationId`, else the organization layout's. */
export function memberOrganizationId(cfg: Pick<LogAnalyzerSettings, "layout"> & { organizationId?: string | undefined }): string | undefined {
  return cfg.organizationId ?? (cfg.layout.type === "organization" ? cfg.layout.organizationId : undefined);
}

/** The key prefix under which CloudTrail writes this trail's files: `<prefix>AWSLogs/` or `<prefix>AWSLogs/<org-id>/`. */
export function logKeyPrefix(cfg: Pick<LogAnalyzerSettings, "keyPrefix" | "layout">): string {
  return cfg.layout.type === "organization" ? `${cfg.keyPrefix}AWSLogs/${cfg.layout.organizationId}/` : `${cfg.keyPrefix}AWSLogs/`;
}
