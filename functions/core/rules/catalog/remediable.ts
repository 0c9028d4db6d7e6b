import type { AnyRule } from "../rule";
import cloudtrailLoggingStopped from "./cloudtrail-logging-stopped";
import ec2SecurityGroupOpenToWorld from "./ec2-security-group-open-to-world";
import iamAdminPolicyAttached from "./iam-admin-policy-attached";
import s3BucketMadePublic from "./s3-bucket-made-public";

/**
 * The catalog's rules that carry a remediation. The remediator function re-checks a request's
 * record against its rule and needs no other rule, so it imports this list and its bundle leaves
 * the rest of the catalog out. `test/core/rules/catalog.test.ts` fails when this list and the
 * catalog's rules with a `remediation` differ.
 */
export const remediableRules: readonly AnyRule[] = [cloudtrailLoggingStopped, ec2SecurityGroupOpenToWorld, iamAdminPolicyAttached, s3BucketMadePublic];
