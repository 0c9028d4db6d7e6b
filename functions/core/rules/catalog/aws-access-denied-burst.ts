import { ACTOR_TYPES, rawActor } from "../raw-principal";
import { actor, accountOfRecord } from "../helpers";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/** Error codes that mean "not allowed" (as opposed to "not found" or "throttled"). */
const DENIED = new Set([
  "AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Client.UnauthorizedOperation", "Client.AccessDenied",
  "UnauthorizedAccess", "AuthorizationError", "AuthorizationErrorException", "Forbidden", "ForbiddenException", "UnauthorizedException",
]);

/**
 * One principal denied many different API calls within minutes: someone trying out what stolen
 * credentials may do (enumerate-iam, Pacu, ScoutSuite with too few rights), not an application whose
 * one missing permission makes the same call fail again and again. Counted: distinct actions
 * (`service:EventName`) denied, so a retry loop counts once. Not counted: calls a service made for the
 * principal (its name as source address) and the console's own calls, which probe what a person may
 * see and are denied as a matter of course. It watches every record, so it reads
 * records raw (only the error code and the identity) and validates only the one that alerts.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "aws.access-denied-burst",
  title: "Burst of denied API calls",
  severity: "medium",
  description:
    "One principal was denied many different AWS API calls within a few minutes. A misconfigured application fails on the same call repeatedly; failing on many different calls is what probing the permissions of stolen credentials looks like.",
  eventSources: ["*"],
  eventNames: "*",
  identityTypes: ACTOR_TYPES,
  // Only denied calls can count, and only these fields are read: a scan parses no record for this rule.
  errorCodes: [...DENIED],
  rawFields: ["errorCode", "sourceIPAddress", "userAgent", "userIdentity"],
  count: "distinct",
  observeRaw: (raw) => {
    const code = raw.errorCode;
    if (typeof code !== "string" || !DENIED.has(code)) return undefined;
    // A service calling for the principal logs its own name as the source; the console's pages probe
    // what a person may see and are denied routinely.
    const ip = raw.sourceIPAddress;
    if (typeof ip === "string" && (ip.endsWith(".amazonaws.com") || ip === "AWS Internal")) return undefined;
    const ua = raw.userAgent;
    if (typeof ua === "string" && /^(aws-internal|AWS Internal)/.test(ua)) return undefined;
    const a = rawActor(raw);
    if (!a) return undefined;
    return { group: a.key, value: `${raw.eventSource.replace(/\.amazonaws\.com$/, "")}:${raw.eventName}` };
  },
  summary: (b) =>
    `${actor(b.principal)} was denied ${b.count} different API calls ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  severityFor: (b) => (b.principal.type === "Root" || b.principal.type === "IAMUser" ? "high" : "medium"),
  status: "experimental",
  falsePositives: [
    "Security scanners and inventory tools running with less than the permissions they try (add them to `ignorePrincipals`).",
    "A new deployment whose role misses several permissions at once.",
  ],
  runbook: {
    triage: [
      "Who is the principal, and where did the calls come from (source IP, user agent)? A CLI or SDK user agent from an unknown address on a long-term key is the classic sign of a leaked key.",
      "Look at what it was denied (context.values) and what it was allowed in the same minutes: discovery calls across many services point to enumeration.",
    ],
    contain: [
      "If not expected: deactivate the access key or revoke the role session, then look for what the same credentials did successfully (CloudTrail, same access key id).",
      "Find where the key leaked (repositories, CI logs, laptops) before issuing a new one.",
    ],
  },
  references: {
    mitre: ["T1580", "T1526", "T1087.004"],
    panther: ["AWS.IAMUser.ReconAccessDenied", "AWS.CloudTrail.UnauthorizedAPICall"],
    sigma: ["Account Enumeration on AWS"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html"],
  },
  settings: thresholdSettings({ threshold: 10, windowMinutes: 10, dedupMinutes: 60 }),
});
