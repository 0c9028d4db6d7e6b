import { accountOfRecord, actor, paramString } from "../helpers";
import { isActorCall } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal asking for the administrator password of many Windows instances
 * (GetPasswordData) within a short time (Stratus "ec2-get-password-data"). An administrator fetches
 * the password of the one instance they connect to. Denied attempts count: trying many instances is
 * the signal, whether or not it worked.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "ec2.password-data-read-burst",
  title: "Windows passwords of many instances requested",
  severity: "high",
  description:
    "One principal called GetPasswordData, which returns the encrypted administrator password of a Windows instance, for many different instances within a short time. Administrators fetch one password for the instance they log in to. Each request alone is `ec2.instance-secrets-read` (low, once per caller and hour).",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["GetPasswordData"],
  includeFailedCalls: true,
  count: "distinct",
  match: (r, { principal }) => isActorCall(r, principal),
  values: (r) => [paramString(r, "instanceId") ?? ""],
  summary: (b) => `${actor(b.principal)} requested the Windows administrator password of ${b.count} instances ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  status: "stable",
  falsePositives: ["Fleet automation that retrieves passwords of new Windows instances to store them in a vault (add its role to `ignorePrincipals`)."],
  runbook: {
    triage: [
      "Who asked, from where (source IP, user agent), and did the calls succeed? Successful calls returned password data that decrypts with the instances' key pair.",
      "Check whether the principal also holds or recently accessed the key pairs' private keys, and whether RDP (3389) was opened on those instances.",
    ],
    contain: [
      "If not expected: revoke the principal's session or keys and change the Administrator passwords of the instances it read.",
      "Remove `ec2:GetPasswordData` from roles that do not need it.",
    ],
  },
  references: {
    mitre: ["T1552"],
    stratus: ["aws.credential-access.ec2-get-password-data"],
    panther: ["AWS.EC2.ManyPasswordReadAttempts"],
    sigma: ["Potential Backup Enumeration on AWS"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_GetPasswordData.html"],
  },
  settings: thresholdSettings({ threshold: 5, windowMinutes: 30, dedupMinutes: 360 }),
});
