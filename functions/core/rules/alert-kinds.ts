import type { Alert, Severity } from "../alert/alert";
import { alertGuidance } from "./guidance";
import type { RuleStatus, Runbook } from "./rule";

/**
 * An alert a deployment raises outside the rule catalog: the org-anomaly capability, scoring, the
 * trail heartbeat and the trail guard's catch-all. Described here, beside the catalog, so that
 * `trailwatch rules` and `docs/rules.md` list every alert people can receive, and so that these alerts
 * carry ATT&CK ids and runbook steps like catalog alerts do. `test/core/rules/alert-kinds.test.ts`
 * keeps the ids equal to the ones the builders use.
 */
export interface AlertKind {
  id: string;
  title: string;
  /** The severities it is raised with, default first. */
  severities: readonly Severity[];
  /** The capability that raises it. */
  source: "org anomaly" | "scoring" | "trail heartbeat" | "trail guard";
  description: string;
  status: RuleStatus;
  falsePositives: readonly string[];
  runbook: Runbook;
  references: { mitre?: string[]; stratus?: string[]; urls?: string[] };
}

const HEARTBEAT_TRIAGE = "Run `aws cloudtrail get-trail-status --name <trail>` in the trail's home region: IsLogging, LatestDeliveryError and LatestDeliveryTime say what is wrong.";

export const ALERT_KINDS: readonly AlertKind[] = [
  {
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
  },
  {
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
  },
  {
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
  },
  {
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
  },
  {
    id: "cloudtrail.not-logging",
    title: "Protected trail is not logging",
    severities: ["critical"],
    source: "trail heartbeat",
    description: "The heartbeat found a protected trail not logging (GetTrailStatus IsLogging false), whatever stopped it and whether or not the StopLogging call was seen.",
    status: "stable",
    falsePositives: ["Planned maintenance of the trail by the team that owns logging."],
    runbook: {
      triage: [HEARTBEAT_TRIAGE, "Find the StopLogging call (CloudTrail event history of the trail's region) and who made it."],
      contain: ["Start logging again (`aws cloudtrail start-logging --name <trail>`), then look for activity during the gap in other logs."],
    },
    references: { mitre: ["T1562.008"], stratus: ["aws.defense-evasion.cloudtrail-stop"], urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html"] },
  },
  {
    id: "cloudtrail.delivery-error",
    title: "Protected trail reports a delivery error",
    severities: ["high", "low", "medium"],
    source: "trail heartbeat",
    description: "A protected trail reports an error delivering log files (high when delivery is also stale, low when a later delivery succeeded) or delivering digests, CloudWatch Logs or SNS notifications (medium or low).",
    status: "stable",
    falsePositives: ["An error CloudTrail keeps showing after the fault was fixed (low: a later delivery succeeded)."],
    runbook: {
      triage: [HEARTBEAT_TRIAGE, "An AccessDenied error usually means the bucket policy or the KMS key policy was changed: check both."],
      contain: ["Restore the bucket and key policies the trail needs, then confirm LatestDeliveryTime moves again."],
    },
    references: { mitre: ["T1562.008"], urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html"] },
  },
  {
    id: "cloudtrail.delivery-stale",
    title: "Protected trail has not delivered logs recently",
    severities: ["high"],
    source: "trail heartbeat",
    description: "No log file delivered for longer than the configured age, with no error to explain it.",
    status: "stable",
    falsePositives: ["Accounts and regions with no activity at all (rare: AWS services log something every few minutes)."],
    runbook: {
      triage: [HEARTBEAT_TRIAGE, "Check the trail's event selectors and the bucket's notifications and lifecycle: is it logging but writing elsewhere?"],
      contain: ["Restore the trail's configuration from infrastructure code and confirm new files arrive."],
    },
    references: { mitre: ["T1562.008"] },
  },
  {
    id: "cloudtrail.trail-missing",
    title: "Protected trail not found",
    severities: ["critical"],
    source: "trail heartbeat",
    description: "A trail the deployment protects no longer exists.",
    status: "stable",
    falsePositives: ["A trail renamed or replaced without updating the deployment's protectedTrails."],
    runbook: {
      triage: ["Find the DeleteTrail call (CloudTrail event history of the trail's region) and who made it; check whether another trail still covers the account."],
      contain: ["Recreate the trail from infrastructure code with its bucket, key and selectors."],
    },
    references: { mitre: ["T1562.008"], stratus: ["aws.defense-evasion.cloudtrail-delete"] },
  },
  {
    id: "cloudtrail.status-unavailable",
    title: "Protected trail's status cannot be read",
    severities: ["high"],
    source: "trail heartbeat",
    description: "The heartbeat could not read a protected trail's status (access denied, throttling, a region not enabled): it cannot vouch for the trail.",
    status: "stable",
    falsePositives: ["A transient API error (the next heartbeat clears it)."],
    runbook: {
      triage: ["Read the error in the alert's context: AccessDenied points to a changed policy or SCP on the heartbeat's role."],
      contain: ["Restore the heartbeat role's `cloudtrail:GetTrailStatus` permission, then check the trail itself by hand."],
    },
    references: { mitre: ["T1562.008"] },
  },
  {
    id: "cloudtrail.guard-events-undelivered",
    title: "Trail-guard events of another region were not delivered",
    severities: ["high", "medium"],
    source: "trail heartbeat",
    description: "Trail-guard events of a non-home region sit in its forwarding dead-letter queue: tampering in that region may not have been reported in real time.",
    status: "stable",
    falsePositives: ["A short outage of the home region's event bus (the messages are delivered on replay)."],
    runbook: {
      triage: ["Read the messages in the region's `<prefix>-trail-guard-forward-dlq`: which calls were not forwarded?"],
      contain: ["Fix the forwarding (EventBridge rule target, permissions), redrive the queue, and handle the events it held."],
    },
    references: { mitre: ["T1562.008"] },
  },
  {
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
  },
];

const byId = new Map(ALERT_KINDS.map((k) => [k.id, k]));

/** The description of an alert raised outside the catalog; throws on an unknown id (a programming error). */
export function alertKind(id: string): AlertKind {
  const k = byId.get(id);
  if (!k) throw new Error(`no alert kind "${id}" in ALERT_KINDS`);
  return k;
}

/** ATT&CK ids and runbook steps of an alert kind, for the builders of those alerts to spread into the alert. */
export function kindGuidance(id: string): Pick<Alert, "references" | "runbook"> {
  const k = alertKind(id);
  return { ...(k.references.mitre || k.references.stratus ? { references: { mitre: k.references.mitre, stratus: k.references.stratus } } : {}), ...alertGuidance(k) };
}
