import * as z from "zod";
import { remediationSafetySchema } from "../platform/config-fields";

/** An AWS region name, e.g. `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
const regionSchema = z
  .string()
  .regex(/^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+$/, { message: "expected an AWS region name such as eu-west-1" });

const TRAIL_ARN = /^arn:(aws|aws-us-gov|aws-cn|aws-iso[a-z-]*):cloudtrail:([a-z0-9-]+):(\d{12}):trail\/([A-Za-z0-9._-]{3,128})$/;
const KMS_KEY_ARN = /^arn:(aws|aws-us-gov|aws-cn|aws-iso[a-z-]*):kms:([a-z0-9-]+):(\d{12}):key\/([A-Za-z0-9-]+)$/;

/** How the trail guard answers `cloudtrail.logging-stopped`: alert only, say what it would do, or restart logging. */
export const remediationModeSchema = z.enum(["off", "dry-run", "apply"]);

/** `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`; the region is the trail's home region. */
export const trailArnSchema = z.string().regex(TRAIL_ARN, {
  message: "expected a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>",
});

/** Splits a trail ARN (already validated by `trailArnSchema`). */
export function parseTrailArn(arn: string): { partition: string; region: string; account: string; name: string } {
  const m = TRAIL_ARN.exec(arn);
  if (!m) throw new Error(`not a trail ARN: ${arn}`);
  return { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! };
}

/** Splits a KMS key ARN (`arn:<partition>:kms:<region>:<account>:key/<id>`). */
export function parseKeyArn(arn: string): { region: string; account: string; keyId: string } {
  const m = KMS_KEY_ARN.exec(arn);
  if (!m) throw new Error(`not a KMS key ARN: ${arn}`);
  return { region: m[2]!, account: m[3]!, keyId: m[4]! };
}

const scheduleSchema = z
  .string()
  .regex(/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\(.+\))$/, {
    message: 'expected an EventBridge schedule such as "rate(15 minutes)" or "cron(0/15 * * * ? *)"',
  });

/** Settings of a deployed trail guard (the `enabled: true` form of the config section). */
export const trailGuardSettingsSchema = z
  .strictObject({
    enabled: z.literal(true),
    /**
     * Every region whose CloudTrail API calls are watched. EventBridge rules are regional: a call
     * made in a region without a rule is never seen. Must include each protected trail's home region
     * (where StopLogging/UpdateTrail for it are recorded) and the trail key's region. The deployment's
     * home region is always watched.
     */
    regions: z.array(regionSchema).min(1).refine((r) => new Set(r).size === r.length, { message: "regions must not repeat" }),
    /** The trails whose stopping is remediated and whose delivery the heartbeat checks. */
    protectedTrails: z.array(trailArnSchema).min(1),
    /** Remediation per rule id; the trail guard remediates only `cloudtrail.logging-stopped`. */
    remediation: z
      .strictObject({ "cloudtrail.logging-stopped": remediationModeSchema.default("off") })
      .default({ "cloudtrail.logging-stopped": "off" }),
    /** Inherited from the top-level `remediationSafety`: the guard never restarts a trail for an event older than `maxEventAgeMinutes`. */
    remediationSafety: remediationSafetySchema,
    heartbeat: z
      .strictObject({
        /** How often the heartbeat checks the protected trails. */
        schedule: scheduleSchema.default("rate(15 minutes)"),
        /** Alert when a protected trail's last log delivery to S3 is older than this. */
        maxDeliveryAgeMinutes: z.number().int().min(5).max(24 * 60).default(60),
      })
      .default({ schedule: "rate(15 minutes)", maxDeliveryAgeMinutes: 60 }),
    /** The S3 bucket the protected trails deliver to: its policy, ACL, lifecycle, versioning and deletion are watched. */
    trailBucketName: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: "expected an S3 bucket name" })
      .optional(),
    /** The KMS key that encrypts the trail's logs: disabling it, scheduling its deletion or replacing its policy is watched. */
    trailKmsKeyArn: z
      .string()
      .regex(KMS_KEY_ARN, { message: "expected a KMS key ARN arn:aws:kms:<region>:<account>:key/<id>" })
      .optional(),
  })
  .superRefine((cfg, ctx) => {
    const watched = new Set(cfg.regions);
    // Runs even when a field above failed its own check (zod continues): skip what does not parse.
    cfg.protectedTrails.forEach((arn, i) => {
      const region = TRAIL_ARN.exec(arn)?.[2];
      if (region && !watched.has(region)) {
        ctx.addIssue({
          code: "custom",
          path: ["protectedTrails", i],
          message: `trail ${arn} lives in ${region}, which is not in regions; calls to stop or change it are recorded there and would be missed`,
        });
      }
    });
    const keyRegion = cfg.trailKmsKeyArn ? KMS_KEY_ARN.exec(cfg.trailKmsKeyArn)?.[2] : undefined;
    if (keyRegion && !watched.has(keyRegion)) {
      ctx.addIssue({
        code: "custom",
        path: ["trailKmsKeyArn"],
        message: `the key lives in ${keyRegion}, which is not in regions; DisableKey/ScheduleKeyDeletion on it would be missed`,
      });
    }
  });

/**
 * The `trailGuard` section of the deployment config. `{ enabled: false }` deploys nothing and needs
 * no other field (other fields are then ignored).
 */
export const trailGuardConfigSchema = z.discriminatedUnion("enabled", [
  z.looseObject({ enabled: z.literal(false) }),
  trailGuardSettingsSchema,
]);

export type TrailGuardConfig = z.infer<typeof trailGuardConfigSchema>;
/** A parsed, enabled trail guard section: what the `TrailGuard` construct takes. */
export type TrailGuardSettings = z.infer<typeof trailGuardSettingsSchema>;
/** The same before defaults are applied (what a config file holds). */
export type TrailGuardSettingsInput = z.input<typeof trailGuardSettingsSchema>;
