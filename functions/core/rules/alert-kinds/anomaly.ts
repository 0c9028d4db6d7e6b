import type { AlertKind } from "./kind";

/** The org-anomaly capability's alert (`functions/core/anomaly/alert.ts`). */
export const NEW_BEHAVIOR_KIND: AlertKind = {
    id: "anomaly.new-behavior",
    title: "Principal did something new",
    severities: ["medium", "info", "low", "high"],
    source: "org anomaly",
    description:
      "Hourly, per business unit: a principal called APIs it had not called in the baseline period (90 days by default). Severity follows what kind of action is new (turning off monitoring, identity changes, data access, writes, reads) and how old the baseline is.",
    status: "stable",
    falsePositives: [
      "A new application release or a new team member's first week (new calls for a known role).",
      "Roles used rarely (quarterly jobs, break-glass) whose calls fall out of the baseline period.",
    ],
    runbook: {
      triage: [
        "Read context.newActions and context.severityReasons: which calls are new, when they started, and whether they write, change identities or touch monitoring.",
        "Ask the owner of the principal (the role's team, the person behind the session) whether a release or a task explains them.",
      ],
      contain: [
        "If unexplained: revoke the principal's sessions or keys and review everything it did since context.newActions[0].firstSeen; undo identity and monitoring changes first.",
      ],
    },
    references: { mitre: ["T1078.004"], urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-concepts.html"] },
  };
