import type { AlertKind } from "./kind";

/** The scoring capability's alerts (`functions/core/scoring/alerts.ts`). */
export const UNUSUAL_ACTIVITY_KIND: AlertKind = {
    id: "score.unusual-activity",
    title: "Unusual API activity for this principal",
    severities: ["medium", "high"],
    source: "scoring",
    description:
      "Daily, per account and region: a (principal, API) pair scored above the threshold against the principal's own history (the built-in scorer or a SageMaker endpoint); the alert says why (novelty, volume).",
    status: "experimental",
    falsePositives: ["A batch job or migration that calls an API far more than usual on one day."],
    runbook: {
      triage: [
        "Read the score's reasons (context.components): is the call new for the principal, or the volume far above its history?",
        "Look at the day's calls of the pair in CloudTrail (context.firstSeen .. context.lastSeen) and who was behind the sessions.",
      ],
      contain: ["If not explained by planned work: revoke the principal's sessions or keys and review its activity of the day."],
    },
    references: { mitre: ["T1078.004"] },
  };

export const RUN_SUMMARY_KIND: AlertKind = {
    id: "score.run-summary",
    title: "Scoring run summary",
    severities: ["info", "low", "medium", "high"],
    source: "scoring",
    description: "One message per scoring run that found something unusual or could not read its logs: how many pairs were unusual, the top ones with their reasons, and what could not be read.",
    status: "stable",
    falsePositives: ["A day without logs in a region nobody uses (low severity)."],
    runbook: {
      triage: ["Look at the top pairs listed and open their score.unusual-activity alerts; for 'no log files found', check the trail delivers to context.logPrefix."],
      contain: ["Handle each unusual pair as its own alert; fix log delivery when files were missing or unreadable."],
    },
    references: { urls: ["https://docs.aws.amazon.com/step-functions/latest/dg/concepts-executions.html"] },
  };

export const RUN_FAILED_KIND: AlertKind = {
    id: "score.run-failed",
    title: "Scoring run failed",
    severities: ["high"],
    source: "scoring",
    description: "A scoring execution failed after its retries: that account, region and day were not scored, a gap in monitoring.",
    status: "stable",
    falsePositives: ["A region without any CloudTrail data that the schedule still names."],
    runbook: {
      triage: ["Open the execution (context.execution) in the Step Functions console and read the failed step's error and cause."],
      contain: ["Fix the cause (permissions, a missing bucket, the endpoint), then start the execution again with the same input to score the day."],
    },
    references: { urls: ["https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html"] },
  };
