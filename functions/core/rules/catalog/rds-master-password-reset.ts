import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString } from "../helpers";
import { actsByHand, calledByAwsService } from "../caller";

/** True when the call sets a new master password (CloudTrail masks it, but keeps the key). */
function setsMasterPassword(r: CloudTrailRecord): boolean {
  return dig(r.requestParameters, "masterUserPassword") !== undefined ||
    dig(r.responseElements, "pendingModifiedValues", "masterUserPassword") !== undefined;
}

/**
 * The master user password of an RDS database or cluster set through the API. Whoever sets it can log
 * in to the database as its administrator and read everything, bypassing IAM. Medium by hand, low
 * from a pipeline; rotation managed by RDS through Secrets Manager does not send a password and is not
 * reported.
 */
export default defineRule({
  id: "rds.master-password-reset",
  title: "RDS master password reset",
  severity: "medium",
  description:
    "The master password of an RDS database was changed through the API: the caller can log in to the engine as administrator, outside IAM.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["ModifyDBInstance", "ModifyDBCluster"],
  match: (r) => !calledByAwsService(r) && setsMasterPassword(r),
  severityFor: (r) => (actsByHand(r) ? "medium" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} reset the master password of RDS ${paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier") ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    database: paramString(r, "dBInstanceIdentifier") ?? paramString(r, "dBClusterIdentifier"),
    applyImmediately: dig(r.requestParameters, "applyImmediately"),
  }),
  status: "experimental",
  falsePositives: [
    "Planned rotation by a database administrator or infrastructure code (low).",
  ],
  runbook: {
    triage: [
      "Was a rotation planned? Any logins as the master user afterwards, or the database made public?",
    ],
    contain: [
      "Set a new master password (or RDS-managed passwords) and end sessions; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1098", "T1078.004"],
    panther: ["AWS.RDS.MasterPasswordUpdated"],
    sigma: ["AWS RDS Master Password Change"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_ModifyDBInstance.html"],
  },
});
