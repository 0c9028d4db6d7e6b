import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, shortName } from "../helpers";

const CREATE_OR_UPDATE = new Set(["CreateSAMLProvider", "UpdateSAMLProvider", "CreateOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint", "AddClientIDToOpenIDConnectProvider"]);

/** IAM Identity Center manages its own SAML provider through its service-linked role. */
function byIdentityCenter(r: CloudTrailRecord): boolean {
  return r.userIdentity?.invokedBy === "sso.amazonaws.com" || /:role\/aws-service-role\/sso\.amazonaws\.com\//.test(r.userIdentity?.sessionContext?.sessionIssuer?.arn ?? "");
}

function providerOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "sAMLProviderArn") ?? paramString(r, "openIDConnectProviderArn") ?? paramString(r, "name") ?? paramString(r, "url");
}

/**
 * An IAM identity provider (SAML or OIDC) was added, changed or removed. Whoever controls a trusted
 * provider can sign in to every role that trusts it with any identity they like ("Golden SAML");
 * a new or re-keyed provider is therefore a high-value backdoor. Deletion breaks sign-in but opens
 * nothing, so it is low. Identity Center's own provider management is excluded.
 */
export default defineRule({
  id: "iam.identity-provider-changed",
  title: "IAM identity provider added or changed",
  severity: "high",
  description:
    "A SAML or OpenID Connect identity provider was created, updated (new metadata, thumbprint or client id) or deleted. A provider an attacker controls lets them assume any role that trusts it; confirm the change with the team that owns federation.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: [...CREATE_OR_UPDATE, "DeleteSAMLProvider", "DeleteOpenIDConnectProvider"],
  match: (r) => !byIdentityCenter(r),
  severityFor: (r) => (CREATE_OR_UPDATE.has(r.eventName) ? "high" : "low"),
  summary: (r, { principal }) =>
    `${actor(principal)} called ${r.eventName} on identity provider ${shortName(providerOf(r)) ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  context: (r) => ({ provider: providerOf(r), action: r.eventName }),
  status: "stable",
  falsePositives: [
    "Certificate or metadata rotation of the company's identity provider (planned, announced by the identity team).",
  ],
  runbook: {
    triage: [
      "Which provider changed and to what (context)? Compare the new metadata or thumbprint with what the identity team expects.",
      "Which roles trust this provider (`aws iam list-roles`, trust policies naming it)?",
    ],
    contain: [
      "If unexpected: delete or restore the provider and revoke sessions of roles assumed through it since the change.",
    ],
  },
  references: {
    mitre: ["T1484.002", "T1606.002"],
    panther: ["AWS.Suspicious.SAML.Activity"],
    sigma: ["AWS SAML Provider Deletion Activity", "AWS Suspicious SAML Activity"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers.html"],
  },
});
