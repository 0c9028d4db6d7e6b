import type { AnyRule } from "../../core/rules/rule";
import cloudtrailLoggingStopped from "../../core/rules/catalog/cloudtrail-logging-stopped";
import cloudtrailTamperDenied from "../../core/rules/catalog/cloudtrail-tamper-denied";
import cloudtrailTrailDeleted from "../../core/rules/catalog/cloudtrail-trail-deleted";
import cloudtrailTrailModified from "../../core/rules/catalog/cloudtrail-trail-modified";
import iamRootActivity from "../../core/rules/catalog/iam-root-activity";
import kmsKeyDeletionScheduled from "../../core/rules/catalog/kms-key-deletion-scheduled";
import organizationsLeaveAttempt from "../../core/rules/catalog/organizations-leave-attempt";
import resourcePolicyMadePublic from "../../core/rules/catalog/resource-policy-made-public";
import s3BucketMadePublic from "../../core/rules/catalog/s3-bucket-made-public";
import s3BucketProtectionDisabled from "../../core/rules/catalog/s3-bucket-protection-disabled";
import s3BucketPolicyGrantsForeignAccount from "../../core/rules/catalog/s3-bucket-policy-grants-foreign-account";
import s3LogBucketLifecycleShortened from "../../core/rules/catalog/s3-log-bucket-lifecycle-shortened";

/**
 * The catalog rules that can fire on an event the guard's EventBridge patterns deliver (the calls
 * of `guardedCalls()`, by any identity, all of them API calls: rules limited to other event types,
 * such as VPC endpoint network activity, cannot). The guard evaluates only these, so its bundle leaves the
 * rest of the catalog out; the log analyzer runs the whole catalog on the same events from the log
 * files. `test/app/trail-guard/guard-rules.test.ts` fails when a catalog rule that could fire
 * on a guarded call is missing here.
 */
export const guardRules: readonly AnyRule[] = [
  cloudtrailLoggingStopped,
  cloudtrailTamperDenied,
  cloudtrailTrailDeleted,
  cloudtrailTrailModified,
  iamRootActivity,
  kmsKeyDeletionScheduled,
  organizationsLeaveAttempt,
  resourcePolicyMadePublic,
  s3BucketMadePublic,
  s3BucketProtectionDisabled,
  s3BucketPolicyGrantsForeignAccount,
  s3LogBucketLifecycleShortened,
];

/**
 * Catalog rules that could fire on a guarded call but are left to the guard's catch-all there, with
 * why. In the guard, the bucket is known to be the trail's: the catch-all rates a deletion of it high
 * and a new trail (a possible decoy) medium, where these rules, judging any bucket or trail, say info.
 * Since the catalog's findings win over the catch-all, including them would lower those alerts.
 */
export const leftToCatchAll: Readonly<Record<string, string>> = {
  "cloudtrail.trail-created": "a trail created next to the protected one is medium for the catch-all, info here",
  "s3.bucket-deleted": "the trail bucket deleted is high for the catch-all, info here unless its name looks like a log bucket",
  "s3.bucket-configuration-changed": "a policy, ACL, lifecycle or versioning change of the trail bucket is medium or high for the catch-all, info in this change audit",
};
