import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, hourOf, isPublicAllow, paramString, policyStatements, stringList } from "../helpers";

/** Where each service's CloudTrail event carries the resource policy, and how to name the resource. */
const SOURCES: Record<string, { policy: (r: CloudTrailRecord) => unknown; resource: (r: CloudTrailRecord) => string | undefined; kind: string }> = {
  "ecr.amazonaws.com": { policy: (r) => dig(r.requestParameters, "policyText"), resource: (r) => paramString(r, "repositoryName"), kind: "ECR repository" },
  "kms.amazonaws.com": { policy: (r) => dig(r.requestParameters, "policy"), resource: (r) => paramString(r, "keyId") ?? (dig(r.responseElements, "keyMetadata", "arn") as string | undefined), kind: "KMS key" },
  "sqs.amazonaws.com": { policy: (r) => dig(r.requestParameters, "attributes", "Policy"), resource: (r) => paramString(r, "queueUrl") ?? paramString(r, "queueName"), kind: "SQS queue" },
  "sns.amazonaws.com": {
    policy: (r) => (paramString(r, "attributeName") === "Policy" ? dig(r.requestParameters, "attributeValue") : dig(r.requestParameters, "attributes", "Policy")),
    resource: (r) => paramString(r, "topicArn") ?? paramString(r, "name"),
    kind: "SNS topic",
  },
  "secretsmanager.amazonaws.com": { policy: (r) => dig(r.requestParameters, "resourcePolicy"), resource: (r) => paramString(r, "secretId"), kind: "Secrets Manager secret" },
  "es.amazonaws.com": { policy: (r) => dig(r.requestParameters, "accessPolicies"), resource: (r) => paramString(r, "domainName"), kind: "OpenSearch domain" },
  "glacier.amazonaws.com": { policy: (r) => dig(r.requestParameters, "policy", "policy") ?? dig(r.requestParameters, "policy"), resource: (r) => paramString(r, "vaultName"), kind: "Glacier vault" },
  "elasticfilesystem.amazonaws.com": { policy: (r) => dig(r.requestParameters, "policy"), resource: (r) => paramString(r, "fileSystemId"), kind: "EFS file system" },
  "backup.amazonaws.com": { policy: (r) => dig(r.requestParameters, "policy"), resource: (r) => paramString(r, "backupVaultName"), kind: "Backup vault" },
  "events.amazonaws.com": {
    // PutPermission takes either a whole policy or one principal/action pair.
    policy: (r) => dig(r.requestParameters, "policy") ?? (paramString(r, "principal") === "*" && !dig(r.requestParameters, "condition") ? { Statement: [{ Effect: "Allow", Principal: "*", Action: paramString(r, "action") ?? "events:PutEvents" }] } : undefined),
    resource: (r) => paramString(r, "eventBusName") ?? "default",
    kind: "EventBridge event bus",
  },
};

/** The statements of this call's policy that let anyone in. */
export function publicStatements(r: CloudTrailRecord): Record<string, unknown>[] {
  const src = SOURCES[r.eventSource];
  return src ? policyStatements(src.policy(r)).filter(isPublicAllow) : [];
}

/**
 * A resource policy outside S3 (which has its own rule) now allows Principal "*" with no condition
 * that narrows who: ECR repositories, KMS keys, SQS queues, SNS topics, Secrets Manager secrets,
 * OpenSearch domains, Glacier vaults, EFS file systems, Backup vaults and EventBridge buses.
 * Conditions on organization, account, ARN, source or network count as narrowing; a condition like
 * aws:SecureTransport does not, and neither does a negated one ("everyone except").
 */
export default defineRule({
  id: "resource.policy-made-public",
  title: "Resource policy opened to anyone",
  severity: "high",
  description:
    "A resource policy was written that lets anyone (Principal \"*\", or NotPrincipal) act on the resource without a condition limiting it to an organization, account, source or network. Depending on the actions, anyone on the internet can read, write, decrypt or delete. Check the policy and narrow it (for example with aws:PrincipalOrgID).",
  eventSources: Object.keys(SOURCES),
  eventNames: [
    "SetRepositoryPolicy", "PutKeyPolicy", "CreateKey", "SetQueueAttributes", "CreateQueue", "SetTopicAttributes", "CreateTopic",
    "PutResourcePolicy", "CreateElasticsearchDomain", "UpdateElasticsearchDomainConfig", "CreateDomain", "UpdateDomainConfig",
    "SetVaultAccessPolicy", "PutFileSystemPolicy", "PutBackupVaultAccessPolicy", "PutPermission",
  ],
  match: (r) => publicStatements(r).length > 0,
  // A world-readable secret is the secret published.
  severityFor: (r) => (r.eventSource === "secretsmanager.amazonaws.com" ? "critical" : "high"),
  summary: (r, { principal }) => {
    const src = SOURCES[r.eventSource]!;
    const actions = [...new Set(publicStatements(r).flatMap((st) => stringList(st.Action ?? st.NotAction)))];
    return `${actor(principal)} opened ${src.kind} ${src.resource(r) ?? "(unknown)"} in account ${accountOfRecord(r)} to anyone (${actions.join(", ") || "actions not listed"})`;
  },
  context: (r) => {
    const src = SOURCES[r.eventSource]!;
    return {
      resourceType: src.kind,
      resource: src.resource(r),
      publicActions: [...new Set(publicStatements(r).flatMap((st) => stringList(st.Action ?? st.NotAction)))],
      publicStatementIds: publicStatements(r).map((st) => st.Sid).filter((x) => x !== undefined),
    };
  },
  dedupKey: (r) => `${accountOfRecord(r)}|${r.eventSource}|${SOURCES[r.eventSource]!.resource(r) ?? ""}|${hourOf(r)}`,
  status: "stable",
  falsePositives: [
    "Public SNS topics or SQS queues for partner integrations, and KMS keys shared with AWS services, that rely on conditions this rule does not know.",
  ],
  runbook: {
    triage: [
      "Read the policy (context): which actions does it give to anyone, and on which resource?",
      "Was the resource accessed by outsiders since (CloudTrail and S3 data events with other account ids)?",
    ],
    contain: [
      "Narrow the policy with `aws:PrincipalOrgID` or account conditions, or remove the statement.",
    ],
  },
  references: {
    mitre: ["T1530", "T1098"],
    panther: ["AWS.CloudTrail.ResourceMadePublic"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_identity-vs-resource.html"],
  },
});
