import type { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { policyDocument, type PolicyStatementSpec } from "./policy-document";

export interface ScheduleLauncherProps {
  /** Name of the role (cut to IAM's 64 characters) and of its inline policy. */
  roleName: string;
  description: string;
  /** Name of the queue that keeps schedule invocations EventBridge Scheduler could not deliver. */
  dlqName: string;
  /** The one thing the schedules may start (e.g. lambda:InvokeFunction on muster). */
  start: PolicyStatementSpec;
  kmsKeyArn: string;
  account: string;
}

/**
 * What EventBridge Scheduler needs to start runs: a role it may assume only for this account, allowed
 * to start exactly one target and to park undeliverable invocations in an encrypted DLQ. Resources are
 * created directly in `scope` (ids `schedule-dlq`, `schedule-role`, ...), one set per capability.
 */
export function scheduleLauncher(scope: Construct, props: ScheduleLauncherProps): { role: IamRole; dlq: SqsQueue } {
  const dlq = new SqsQueue(scope, "schedule-dlq", {
    name: props.dlqName,
    kmsMasterKeyId: props.kmsKeyArn,
    kmsDataKeyReusePeriodSeconds: 300,
    messageRetentionSeconds: 14 * 24 * 3600,
  });
  const role = new IamRole(scope, "schedule-role", {
    name: props.roleName.slice(0, 64),
    description: props.description,
    assumeRolePolicy: policyDocument(scope, "schedule-trust", [
      {
        principals: [{ type: "Service", identifiers: ["scheduler.amazonaws.com"] }],
        actions: ["sts:AssumeRole"],
        resources: [],
        conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [props.account] }],
      },
    ]).json,
  });
  new IamRolePolicy(scope, "schedule-role-policy", {
    name: props.roleName,
    role: role.id,
    policy: policyDocument(scope, "schedule-permissions", [
      props.start,
      { sid: "ParkUnstartableRuns", actions: ["sqs:SendMessage"], resources: [dlq.arn] },
      { sid: "EncryptForDlq", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [props.kmsKeyArn] },
    ]).json,
  });
  return { role, dlq };
}
