import { defineRule } from "../rule";
import { accountOfRecord, actor } from "../helpers";

/**
 * Calls worth seeing when they come in through a VPC endpoint, by service. Reads that workloads make
 * all day through endpoints (kms:Decrypt, secretsmanager:GetSecretValue, s3:GetObject) are left out on
 * purpose: network activity events of those would drown the rest.
 */
const SENSITIVE: Record<string, readonly string[]> = {
  "cloudtrail.amazonaws.com": ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"],
  "kms.amazonaws.com": ["ScheduleKeyDeletion", "DisableKey", "PutKeyPolicy", "DeleteImportedKeyMaterial"],
  "secretsmanager.amazonaws.com": ["DeleteSecret", "PutResourcePolicy", "BatchGetSecretValue"],
  "s3.amazonaws.com": ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "ListBuckets"],
  "ec2.amazonaws.com": ["CreateKeyPair", "ImportKeyPair", "GetPasswordData", "ModifyInstanceAttribute"],
};

/**
 * CloudTrail network activity events (`eventType: AwsVpceEvent`) for tamper, policy and credential
 * calls made through a VPC endpoint. The same call is also logged as a management event, which the
 * service's own rule judges; this rule adds that it came from inside a VPC, through which endpoint,
 * which is where stolen workload credentials are used from.
 */
export default defineRule({
  id: "vpce.sensitive-api-call",
  title: "Sensitive API called through a VPC endpoint",
  severity: "low",
  description:
    "A CloudTrail network activity event shows a trail, KMS key, secret, bucket policy or EC2 key/password call made through a VPC endpoint. Workloads rarely make these calls; an attacker using a workload's credentials from inside the network does.",
  eventSources: Object.keys(SENSITIVE),
  eventNames: [...new Set(Object.values(SENSITIVE).flat())],
  // Checked on the raw record: the management events of the same calls (far more) are never validated for this rule.
  eventTypes: ["AwsVpceEvent"],
  match: (r) => SENSITIVE[r.eventSource]?.includes(r.eventName) ?? false,
  summary: (r, { principal }) =>
    `${actor(principal)} called ${r.eventSource.replace(".amazonaws.com", "")}:${r.eventName} through VPC endpoint ${r.vpcEndpointId ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    call: `${r.eventSource}:${r.eventName}`,
    vpcEndpointId: r.vpcEndpointId,
    vpcEndpointAccountId: (r as { vpcEndpointAccountId?: unknown }).vpcEndpointAccountId,
    requestParameters: r.requestParameters,
  }),
  status: "experimental",
  falsePositives: [
    "Automation running inside a VPC without internet access (CI runners, bastions) that manages keys, trails or bucket policies through endpoints.",
  ],
  runbook: {
    triage: [
      "Find the management event of the same call (same eventName and time): its alert, if any, says what changed.",
      "Identify the workload behind the principal (instance profile, task role, Lambda role) and whether it is meant to make this call.",
      "Check the endpoint (vpcEndpointId) and the VPC it belongs to; look for other network activity events of the same principal.",
    ],
    contain: [
      "Restrict the endpoint policy to the actions and principals the VPC needs.",
      "If the workload is compromised, revoke its role sessions (an explicit deny on aws:TokenIssueTime) and isolate the instance or task.",
    ],
  },
  references: {
    mitre: ["T1562.008", "T1552", "T1485"],
    panther: ["AWS.CloudTrail.VPCE.SensitiveAPICalls"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html"],
  },
});
