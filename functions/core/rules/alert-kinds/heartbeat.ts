import { guidanceOf, type AlertKind } from "./kind";

const HEARTBEAT_TRIAGE = "Run `aws cloudtrail get-trail-status --name <trail>` in the trail's home region: IsLogging, LatestDeliveryError and LatestDeliveryTime say what is wrong.";

/** The trail heartbeat's alerts (`functions/app/trail-heartbeat/checks.ts`). */
export const HEARTBEAT_KINDS: readonly AlertKind[] = [
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
];

/** ATT&CK ids and runbook steps of a heartbeat alert (none for an id that is not one). */
export function heartbeatGuidance(id: string): ReturnType<typeof guidanceOf> | Record<string, never> {
  const k = HEARTBEAT_KINDS.find((x) => x.id === id);
  return k ? guidanceOf(k) : {};
}
