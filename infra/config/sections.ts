import type { z } from "zod";
import { logAnalyzerConfigSchema } from "../../modules/log-analyzer/config";
import { orgAnomalyConfigSchema } from "../../modules/org-anomaly/config";
import { retroHuntConfigSchema } from "../../modules/retro-hunt/config";
import { scoringConfigSchema } from "../../modules/scoring/config";
import { trailGuardConfigSchema } from "../../modules/trail-guard/config";
import type { BaseConfig } from "./base-schema";

/**
 * A capability's config section: its schema lives beside the capability (`modules/<x>/config.ts`);
 * `inherit` fills, before validation, the fields the top level already says (bucket, regions,
 * remediation, ...) so they are written once. A field the section sets itself wins.
 */
export interface CapabilitySection<S extends z.ZodType = z.ZodType> {
  schema: S;
  inherit?: (top: BaseConfig) => Record<string, unknown>;
}

function section<S extends z.ZodType>(schema: S, inherit?: (top: BaseConfig) => Record<string, unknown>): CapabilitySection<S> {
  return { schema, inherit };
}

/** Every region watched: the home region first, then the others. */
export function watchedRegions(top: Pick<BaseConfig, "deployment" | "regions">): string[] {
  return [...new Set([top.deployment.homeRegion, ...top.regions])];
}

/** The S3 layout of the CloudTrail logs (every capability that reads them inherits it). */
function logLayout(top: BaseConfig): { type: "organization"; organizationId: string } | { type: "account" } | undefined {
  if (!top.cloudtrailLogs) return undefined;
  if (top.cloudtrailLogs.layout === "organization" && top.organization) return { type: "organization", organizationId: top.organization.id };
  return { type: "account" };
}

/**
 * The optional capability sections of the deployment config, by key. Absent or `{ "enabled": false }`
 * deploys nothing. Adding a capability is one line here (plus its import) and one in
 * `infra/stacks/capabilities.ts`.
 */
export const SECTIONS = {
  trailGuard: section(trailGuardConfigSchema, (top) => ({
    regions: watchedRegions(top),
    protectedTrails: top.protectedTrails,
    trailBucketName: top.cloudtrailLogs?.bucket,
    trailKmsKeyArn: top.cloudtrailLogs?.kmsKeyArn,
    remediation: { "cloudtrail.logging-stopped": top.remediation["cloudtrail.logging-stopped"] ?? "off" },
    remediationSafety: top.remediationSafety,
  })),
  logAnalyzer: section(logAnalyzerConfigSchema, (top) => ({
    bucketName: top.cloudtrailLogs?.bucket,
    keyPrefix: top.cloudtrailLogs?.keyPrefix,
    layout: logLayout(top),
    logKmsKeyArn: top.cloudtrailLogs?.kmsKeyArn,
    remediation: top.remediation,
    remediationSafety: top.remediationSafety,
    organizationId: top.organization?.id,
    managementAccountId: top.organization?.managementAccount,
  })),
  scoring: section(scoringConfigSchema, (top) => ({
    cloudtrailBuckets: top.cloudtrailLogs ? [top.cloudtrailLogs.bucket] : undefined,
    keyPrefix: top.cloudtrailLogs?.keyPrefix,
    layout: logLayout(top),
    logKmsKeyArn: top.cloudtrailLogs?.kmsKeyArn,
  })),
  orgAnomaly: section(orgAnomalyConfigSchema, (top) => ({
    bucketName: top.cloudtrailLogs?.bucket,
    keyPrefix: top.cloudtrailLogs?.keyPrefix,
    layout: logLayout(top),
    logKmsKeyArn: top.cloudtrailLogs?.kmsKeyArn,
    managementAccountId: top.organization?.managementAccount,
    organizationId: top.organization?.id,
  })),
  retroHunt: section(retroHuntConfigSchema, (top) => ({
    bucketName: top.cloudtrailLogs?.bucket,
    keyPrefix: top.cloudtrailLogs?.keyPrefix,
    layout: logLayout(top),
    logKmsKeyArn: top.cloudtrailLogs?.kmsKeyArn,
    // The hunt runs the catalog with the deployment's rule settings (shared ones merged in).
    ruleSettings: top.rules?.catalogSettings,
  })),
} satisfies Record<string, CapabilitySection>;

export type SectionKey = keyof typeof SECTIONS;

/** Fields set once at the top level that a section may not repeat (one place to look). */
export const TOP_LEVEL_ONLY = ["remediation", "rules", "ruleSettings", "remediationSafety"] as const;
