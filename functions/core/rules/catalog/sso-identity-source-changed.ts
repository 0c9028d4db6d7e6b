import { defineRule, type SigmaOrigin } from "../rule";
import { accountOfRecord, actor, sigmaAttribution } from "../helpers";

const WHAT: Record<string, string> = {
  AssociateDirectory: "connected a directory to IAM Identity Center",
  DisassociateDirectory: "disconnected the directory of IAM Identity Center",
  EnableExternalIdPConfigurationForDirectory: "turned on an external identity provider for IAM Identity Center",
  DisableExternalIdPConfigurationForDirectory: "turned off the external identity provider of IAM Identity Center",
};

/** The Sigma rule(s) this rule ports; its alerts name their authors. */
const DERIVED: SigmaOrigin[] = [
  { sigma: "AWS Identity Center Identity Provider Change", author: "Michael McIntyre @wtfender" },
];

/**
 * IAM Identity Center's identity source changed: a directory or external identity provider connected
 * or disconnected. Whoever controls the identity source controls who can sign in to every account
 * Identity Center grants access to.
 */
export default defineRule({
  id: "sso.identity-source-changed",
  title: "IAM Identity Center identity source changed",
  severity: "high",
  description:
    "IAM Identity Center's identity source changed: a directory or external identity provider was connected, disconnected, enabled or disabled. It decides who can sign in to every account and permission set.",
  eventSources: ["sso.amazonaws.com", "sso-directory.amazonaws.com"],
  eventNames: Object.keys(WHAT),
  match: () => true,
  summary: (r, { principal }) => `${actor(principal)} ${WHAT[r.eventName]} in account ${accountOfRecord(r)}`,
  context: (r) => ({ attribution: sigmaAttribution(DERIVED), action: r.eventName, requestParameters: r.requestParameters }),
  status: "stable",
  falsePositives: ["A planned migration of the identity source (for example from the built-in directory to Okta or Entra ID)."],
  runbook: {
    triage: [
      "Confirm with the identity team that a migration of the identity source was scheduled.",
      "Check which identity provider or directory is now connected, and who can administer it.",
      "Review sign-ins to the access portal right after the change (sso and signin events).",
    ],
    contain: [
      "Restore the previous identity source; disable users provisioned by the new one.",
      "Review permission-set assignments made since the change and revoke sessions of users you do not know.",
    ],
  },
  references: {
    mitre: ["T1484.002", "T1556"],
    sigma: ["AWS Identity Center Identity Provider Change"],
    derivedFrom: DERIVED,
    urls: ["https://docs.aws.amazon.com/singlesignon/latest/userguide/manage-your-identity-source.html"],
  },
});
