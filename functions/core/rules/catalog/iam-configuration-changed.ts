import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { auditsCaller, CHANGE_AUDIT_STEPS, changeAuditKey, changeAuditSettings, via, type ChangeAuditSettings } from "../change-audit";

/** Every IAM write CloudTrail logs: users, roles, groups, policies, credentials, identity providers, account settings, tags. */
const IAM_WRITES = [
  "ChangePassword", "CreateAccessKey", "UpdateAccessKey", "DeleteAccessKey", "CreateLoginProfile", "UpdateLoginProfile",
  "DeleteLoginProfile", "CreateServiceSpecificCredential", "UpdateServiceSpecificCredential", "ResetServiceSpecificCredential",
  "DeleteServiceSpecificCredential", "UploadSSHPublicKey", "UpdateSSHPublicKey", "DeleteSSHPublicKey", "UploadSigningCertificate",
  "UpdateSigningCertificate", "DeleteSigningCertificate", "CreateVirtualMFADevice", "DeleteVirtualMFADevice", "EnableMFADevice",
  "DeactivateMFADevice", "ResyncMFADevice",
  "AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy", "DetachUserPolicy", "DetachGroupPolicy", "DetachRolePolicy",
  "PutUserPolicy", "PutGroupPolicy", "PutRolePolicy", "DeleteUserPolicy", "DeleteGroupPolicy", "DeleteRolePolicy", "CreatePolicy",
  "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion", "PutUserPermissionsBoundary",
  "PutRolePermissionsBoundary", "DeleteUserPermissionsBoundary", "DeleteRolePermissionsBoundary", "UpdateAssumeRolePolicy",
  "CreateUser", "UpdateUser", "DeleteUser", "CreateGroup", "UpdateGroup", "DeleteGroup", "AddUserToGroup", "RemoveUserFromGroup",
  "CreateRole", "UpdateRole", "UpdateRoleDescription", "DeleteRole", "CreateServiceLinkedRole", "DeleteServiceLinkedRole",
  "CreateInstanceProfile", "DeleteInstanceProfile", "AddRoleToInstanceProfile", "RemoveRoleFromInstanceProfile",
  "CreateSAMLProvider", "UpdateSAMLProvider", "DeleteSAMLProvider", "CreateOpenIDConnectProvider", "DeleteOpenIDConnectProvider",
  "AddClientIDToOpenIDConnectProvider", "RemoveClientIDFromOpenIDConnectProvider", "UpdateOpenIDConnectProviderThumbprint",
  "EnableOutboundWebIdentityFederation", "DisableOutboundWebIdentityFederation",
  "CreateAccountAlias", "DeleteAccountAlias", "UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy",
  "SetSecurityTokenServicePreferences", "PutAccountProperties", "EnableOrganizationsRootCredentialsManagement",
  "DisableOrganizationsRootCredentialsManagement", "EnableOrganizationsRootSessions", "DisableOrganizationsRootSessions",
  "TagUser", "UntagUser", "TagRole", "UntagRole", "TagPolicy", "UntagPolicy", "TagInstanceProfile", "UntagInstanceProfile",
  "TagMFADevice", "UntagMFADevice", "TagOpenIDConnectProvider", "UntagOpenIDConnectProvider", "TagSAMLProvider", "UntagSAMLProvider",
  "TagServerCertificate", "UntagServerCertificate",
  "CreateDelegationRequest", "AcceptDelegationRequest", "AssociateDelegationRequest", "RejectDelegationRequest", "UpdateDelegationRequest",
  "UploadServerCertificate", "UpdateServerCertificate", "DeleteServerCertificate",
];

/** What an IAM write changes, for people scanning the audit trail: the first area whose pattern the call's name matches. */
const AREAS: [string, RegExp][] = [
  ["tags", /^(Tag|Untag)/],
  ["credentials", /Password$|AccessKey|LoginProfile|Credential|SSHPublicKey|SigningCertificate|MFADevice/],
  ["policy", /Polic|PermissionsBoundary/],
  ["federation", /Provider|WebIdentity/],
  ["account", /Account|TokenService|Organizations/],
  ["delegation", /Delegation/],
  ["certificate", /ServerCertificate/],
];
const areaOf = (eventName: string) => AREAS.find(([, re]) => re.test(eventName))?.[0] ?? "identity";

/** The IAM entity a call changes, as "role deploy-role" or "policy arn:...", when the request names one. */
function targetOf(r: CloudTrailRecord): string | undefined {
  const named: [string, string][] = [
    ["roleName", "role"], ["userName", "user"], ["groupName", "group"], ["policyArn", "policy"], ["policyName", "policy"],
    ["instanceProfileName", "instance profile"], ["sAMLProviderArn", "SAML provider"], ["name", "SAML provider"],
    ["openIDConnectProviderArn", "OIDC provider"], ["url", "OIDC provider"], ["serialNumber", "MFA device"],
    ["virtualMFADeviceName", "MFA device"], ["accountAlias", "account alias"], ["serverCertificateName", "certificate"],
    ["aWSServiceName", "service-linked role for"],
  ];
  for (const [param, kind] of named) {
    const v = paramString(r, param);
    if (v) return `${kind} ${v}`;
  }
  // ChangePassword names nobody: IAM users change their own password.
  return r.eventName === "ChangePassword" ? "own password" : undefined;
}

/**
 * Change audit of IAM: every successful IAM write (users, roles, groups, policies, credentials,
 * identity providers, account settings, tags), at info and once per caller, account and hour (see
 * `change-audit.ts`). It is the trail, not the alarm: the harmful changes have their own rules at
 * higher severities (`iam.admin-policy-attached`, `iam.role-trust-opened`, `iam.access-key-created`,
 * `iam.login-profile-changed`, `iam.user-created`, `iam.user-added-to-admin-group`,
 * `iam.mfa-device-deactivated`, `iam.identity-provider-changed`, `iam.password-policy-weakened`).
 */
export default defineRule<ChangeAuditSettings, string>({
  id: "iam.configuration-changed",
  title: "IAM configuration changed",
  severity: "info",
  status: "experimental",
  description:
    "Someone changed IAM: a user, role, group, policy, credential, identity provider, account setting or tag. Recorded at info, once per caller, account and hour (a deployment's many changes are one alert with occurrences); the harmful changes are reported by their own rules at higher severity (`iam.admin-policy-attached`, `iam.role-trust-opened`, `iam.access-key-created`, `iam.login-profile-changed`, ...).",
  eventSources: ["iam.amazonaws.com"],
  eventNames: IAM_WRITES,
  match: (r, { principal, settings }) => (auditsCaller(principal, settings) ? areaOf(r.eventName) : undefined),
  summary: (r, { principal }, area) => {
    const target = targetOf(r);
    return `${actor(principal)} changed IAM ${area}: ${r.eventName}${target ? ` (${target})` : ""} in account ${accountOfRecord(r)}${via(r)}`;
  },
  dedupKey: (r, { principal }) => changeAuditKey(r, principal),
  context: (r, _c, area) => ({
    area,
    call: r.eventName,
    target: targetOf(r),
    invokedBy: r.userIdentity?.invokedBy ?? undefined,
    userAgent: r.userAgent ?? undefined,
  }),
  falsePositives: [
    "Deployments (CloudFormation, CDK, Terraform) changing roles and policies: name the pipeline's role in ignorePrincipals when its changes are reviewed in code.",
    "People changing their own password or MFA device, administrators managing users and groups.",
  ],
  runbook: {
    triage: [
      CHANGE_AUDIT_STEPS.who,
      CHANGE_AUDIT_STEPS.related,
      "Which IAM entities changed (context.target, then the caller's other IAM calls): new principals, policies granting more, credentials for someone else?",
    ],
    contain: [
      CHANGE_AUDIT_STEPS.revert,
      "Detach a policy, delete a key, login profile or user, or restore a trust policy that nobody planned.",
    ],
  },
  references: {
    mitre: ["T1098", "T1098.001", "T1098.003", "T1136.003"],
    panther: ["AWS.CloudTrail.IAMAnythingChanged", "AWS.IAM.PolicyModified", "AWS.IAM.CredentialsUpdated"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/cloudtrail-integration.html"],
  },
  settings: changeAuditSettings,
});
