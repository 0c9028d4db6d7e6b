import type { CloudTrailRecord } from "../../record/schema";
import type { Severity } from "../../alert/alert";
import { defineRule, type SigmaOrigin } from "../rule";
import { accountOfRecord, actor, asList, dig, paramString, sigmaAttribution } from "../helpers";

/** SSH public keys a CreateDevEndpoint / UpdateDevEndpoint installs on the endpoint. */
function keysAdded(r: CloudTrailRecord): number {
  const p = r.requestParameters;
  return (paramString(r, "publicKey") ? 1 : 0) + asList(dig(p, "publicKeys")).length + asList(dig(p, "addPublicKeys")).length;
}

function severityOf(r: CloudTrailRecord): Severity {
  if (r.eventName === "DeleteDevEndpoint") return "info";
  if (r.eventName === "UpdateDevEndpoint") return keysAdded(r) > 0 ? "high" : "low";
  return "medium";
}

/** The Sigma rule(s) this rule ports; its alerts name their authors. */
const DERIVED: SigmaOrigin[] = [
  { sigma: "AWS Glue Development Endpoint Activity", author: "Austin Songer @austinsonger" },
];

/**
 * AWS Glue development endpoints: a notebook server that runs as an IAM role and accepts SSH keys.
 * Creating one with a powerful role (iam:PassRole), or adding your SSH key to an existing one, gives
 * a shell with that role's credentials: a known privilege-escalation path. Dev endpoints are a legacy
 * feature (Glue 0.9 and 1.0), so any activity is rare.
 */
export default defineRule({
  id: "glue.dev-endpoint-changed",
  title: "Glue development endpoint created or given SSH keys",
  severity: "medium",
  description:
    "An AWS Glue development endpoint was created, updated or deleted. It runs as the IAM role passed to it and accepts SSH keys: creating one with a privileged role, or adding a key, hands that role to whoever holds the key.",
  eventSources: ["glue.amazonaws.com"],
  eventNames: ["CreateDevEndpoint", "UpdateDevEndpoint", "DeleteDevEndpoint"],
  match: () => true,
  severityFor: (r) => severityOf(r),
  summary: (r, { principal }) => {
    const ep = paramString(r, "endpointName") ?? "(unnamed)";
    const where = `in account ${accountOfRecord(r)}`;
    if (r.eventName === "CreateDevEndpoint") return `${actor(principal)} created Glue development endpoint ${ep} running as ${paramString(r, "roleArn") ?? "an unlogged role"} ${where}`;
    if (r.eventName === "DeleteDevEndpoint") return `${actor(principal)} deleted Glue development endpoint ${ep} ${where}`;
    return keysAdded(r) > 0
      ? `${actor(principal)} added ${keysAdded(r)} SSH key(s) to Glue development endpoint ${ep} ${where}`
      : `${actor(principal)} updated Glue development endpoint ${ep} ${where}`;
  },
  context: (r) => ({
    attribution: sigmaAttribution(DERIVED),
    action: r.eventName,
    endpoint: paramString(r, "endpointName"),
    roleArn: paramString(r, "roleArn"),
    sshKeysAdded: keysAdded(r),
  }),
  status: "stable",
  falsePositives: ["Data engineers still using development endpoints (Glue interactive sessions replace them)."],
  runbook: {
    triage: [
      "Check the role the endpoint runs as (context.roleArn, or GetDevEndpoint) and what it may do.",
      "Ask the data engineering team whether the endpoint or key is theirs; who holds the private key?",
      "Look for API calls by that role from the endpoint's address after the change.",
    ],
    contain: [
      "Delete the endpoint (or remove the added keys) and revoke the role's sessions.",
      "Restrict glue:CreateDevEndpoint, glue:UpdateDevEndpoint and iam:PassRole on privileged roles.",
    ],
  },
  references: {
    mitre: ["T1098.004", "T1078.004"],
    sigma: ["AWS Glue Development Endpoint Activity"],
    derivedFrom: DERIVED,
    urls: ["https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/"],
  },
});
