import type { AlertKind } from "./kind";

/** The trail guard's catch-all rule (`functions/core/rules/catalog/guard-only/cloudtrail-trail-tampering.ts`). */
export const TRAIL_TAMPERING_KIND: AlertKind = {
    id: "cloudtrail.trail-tampering",
    title: "Change to a CloudTrail trail, its bucket or its key",
    severities: ["medium", "info", "low", "high"],
    source: "trail guard",
    description:
      "Real time, from EventBridge: any call on a protected trail, its bucket or its key, or an account leaving the Organization, that no more specific catalog rule reported (failed attempts one severity lower).",
    status: "stable",
    falsePositives: ["Tagging and configuration work on the trail by the team that owns logging."],
    runbook: {
      triage: ["Read the call and its target in the alert: what changed on the trail, the bucket or the key, and who did it?"],
      contain: ["Undo the change from infrastructure code (trail settings, bucket policy and lifecycle, key policy) and review the principal's other actions."],
    },
    references: { mitre: ["T1562.008"], stratus: ["aws.defense-evasion.cloudtrail-stop", "aws.defense-evasion.cloudtrail-delete", "aws.defense-evasion.cloudtrail-lifecycle-rule"] },
  };
