import type { RemediationId } from "../../../core/rules/rule";
import { StartLoggingRemediator } from "./cloudtrail-start-logging";
import { RevokeWorldOpenIngressRemediator } from "./ec2-revoke-world-open-ingress";
import { DetachAdminPolicyRemediator } from "./iam-detach-admin-policy";
import { RestorePublicAccessBlockRemediator } from "./s3-restore-public-access-block";
import type { PlanningRemediator, RemediationClients } from "./types";

export * from "./cloudtrail-start-logging";
export * from "./ec2-revoke-world-open-ingress";
export * from "./event-history";
export * from "./iam-detach-admin-policy";
export * from "./lambda-runner";
export * from "./member-access";
export * from "./member-accounts";
export * from "./remediation-ledger";
export * from "./runner";
export * from "./s3-restore-public-access-block";
export * from "./types";

/** One remediator per {@link RemediationId}; the compiler fails here when an id has none. */
export function createRemediators(clients: RemediationClients): Record<RemediationId, PlanningRemediator> {
  return {
    "cloudtrail.start-logging": new StartLoggingRemediator(clients),
    "iam.detach-admin-policy": new DetachAdminPolicyRemediator(clients),
    "s3.restore-public-access-block": new RestorePublicAccessBlockRemediator(clients),
    "ec2.revoke-world-open-ingress": new RevokeWorldOpenIngressRemediator(clients),
  };
}
