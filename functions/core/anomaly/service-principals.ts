import { isAwsServicePrincipal, type PrincipalType } from "../record/principal";

/**
 * True for AWS service principals and service-linked roles, judged from a principal id and type
 * (what the activity query returns) with the same test the rest of trailwatch uses.
 */
export function resolvePrincipalTypeIsService(principalId: string, principalType: string): boolean {
  return isAwsServicePrincipal({ id: principalId, type: principalType as PrincipalType, name: principalId });
}
