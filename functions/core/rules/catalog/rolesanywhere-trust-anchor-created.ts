import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, dig, paramString, responseString } from "../helpers";
import { calledByAwsService } from "../caller";

/** The source of the trust anchor's certificates: an uploaded bundle (a CA of the caller's choosing) or an ACM Private CA. */
function sourceType(r: CloudTrailRecord): string | undefined {
  const v = dig(r.requestParameters, "source", "sourceType") ?? dig(r.responseElements, "trustAnchor", "source", "sourceType");
  return typeof v === "string" ? v : undefined;
}

function severityOf(r: CloudTrailRecord): Severity {
  return sourceType(r) === "AWS_ACM_PCA" ? "medium" : "high";
}

/**
 * An IAM Roles Anywhere trust anchor created or its certificate source changed. Whoever holds a
 * certificate from the anchored CA can obtain credentials of every role that trusts Roles Anywhere,
 * from anywhere, without an access key (Stratus "rolesanywhere-create-trust-anchor"). High for an
 * uploaded certificate bundle (any CA the caller controls), medium for an ACM Private CA of the account.
 */
export default defineRule({
  id: "rolesanywhere.trust-anchor-created",
  title: "IAM Roles Anywhere trust anchor created or changed",
  severity: "high",
  status: "experimental",
  description:
    "An IAM Roles Anywhere trust anchor was created or its CA changed: anyone with a certificate from that CA can get credentials for roles that trust Roles Anywhere.",
  eventSources: ["rolesanywhere.amazonaws.com"],
  eventNames: ["CreateTrustAnchor", "UpdateTrustAnchor"],
  match: (r) => !calledByAwsService(r) && (r.eventName === "CreateTrustAnchor" || dig(r.requestParameters, "source") !== undefined),
  severityFor: (r) => severityOf(r),
  summary: (r, { principal }) =>
    `${actor(principal)} ${r.eventName === "CreateTrustAnchor" ? "created" : "changed the certificate source of"} IAM Roles Anywhere trust anchor ${paramString(r, "name") ?? responseString(r, "trustAnchor", "name") ?? paramString(r, "trustAnchorId") ?? "(unknown)"} in account ${accountOfRecord(r)} (${sourceType(r) === "AWS_ACM_PCA" ? "ACM Private CA" : "uploaded certificate bundle"})`,
  context: (r) => ({
    trustAnchorArn: responseString(r, "trustAnchor", "trustAnchorArn"),
    sourceType: sourceType(r),
    acmPcaArn: dig(r.requestParameters, "source", "sourceData", "acmPcaArn"),
    enabled: dig(r.requestParameters, "enabled"),
  }),
  falsePositives: [
    "Teams onboarding on-premises workloads with the organization's CA.",
  ],
  runbook: {
    triage: [
      "Which CA does the anchor trust, and is it yours?",
      "Which roles trust rolesanywhere.amazonaws.com; was a profile or a session created?",
    ],
    contain: [
      "Disable or delete the anchor and its profiles; revoke the caller's credentials; restrict rolesanywhere:CreateTrustAnchor.",
    ],
  },
  references: {
    mitre: ["T1098", "T1556"],
    stratus: ["aws.persistence.rolesanywhere-create-trust-anchor"],
    urls: ["https://docs.aws.amazon.com/rolesanywhere/latest/userguide/trust-model.html"],
  },
});
