import { stableUpper } from "./random";
import { isoSeconds } from "./time";

/**
 * Builders of `userIdentity` blocks for every identity type the organization's principals have, in
 * the shape and field order CloudTrail writes them. Ids (AIDA/AROA unique ids, access key ids) are
 * derived from stable hashes, so a principal keeps its ids across the whole generated period.
 */

export type Identity = Record<string, unknown>;

/** An IAM role as it appears in `sessionIssuer`. */
export interface RoleRef {
  account: string;
  name: string;
  /** IAM path, e.g. "/" or "/aws-reserved/sso.amazonaws.com/eu-west-1/". */
  path: string;
  /** AROA... unique id. */
  principalId: string;
  arn: string;
}

export function role(account: string, name: string, path = "/"): RoleRef {
  return { account, name, path, principalId: `AROA${stableUpper(17, "role", account, path, name)}`, arn: `arn:aws:iam::${account}:role${path}${name}` };
}

/** The unique id (AIDA...) of an IAM user. */
export function userId(account: string, userName: string): string {
  return `AIDA${stableUpper(17, "user", account, userName)}`;
}

/** A temporary access key id (ASIA...) for one session. */
export function sessionKey(...parts: (string | number)[]): string {
  return `ASIA${stableUpper(16, "sessionkey", ...parts)}`;
}

/** A long-term access key id (AKIA...). */
export function longTermKey(...parts: (string | number)[]): string {
  return `AKIA${stableUpper(16, "accesskey", ...parts)}`;
}

const EMPTY = Object.freeze({});

/** IAM user calling with a long-term key (no session) or in a console session (with MFA or not). */
export function iamUser(account: string, userName: string, o: { accessKeyId: string; session?: { created: number; mfa: boolean }; invokedBy?: string }): Identity {
  const id: Identity = {
    type: "IAMUser",
    principalId: userId(account, userName),
    arn: `arn:aws:iam::${account}:user/${userName}`,
    accountId: account,
    accessKeyId: o.accessKeyId,
    userName,
  };
  if (o.session) {
    id.sessionContext = {
      sessionIssuer: EMPTY,
      webIdFederationData: EMPTY,
      attributes: { creationDate: isoSeconds(o.session.created), mfaAuthenticated: String(o.session.mfa) },
    };
  }
  if (o.invokedBy) id.invokedBy = o.invokedBy;
  return id;
}

/** The identity block of a ConsoleLogin by an IAM user (no access key, no session yet). */
export function iamUserSignIn(account: string, userName: string): Identity {
  return { type: "IAMUser", principalId: userId(account, userName), arn: `arn:aws:iam::${account}:user/${userName}`, accountId: account, userName };
}

/** A session of an assumed role (people through Identity Center or SAML, CI, Lambda, ECS, EC2, service-linked roles). */
export function assumedRole(
  r: RoleRef,
  sessionName: string,
  o: { accessKeyId: string; created: number; mfa?: boolean; webIdProvider?: string; invokedBy?: string; sourceIdentity?: string },
): Identity {
  const ctx: Record<string, unknown> = {
    sessionIssuer: { type: "Role", principalId: r.principalId, arn: r.arn, accountId: r.account, userName: r.name },
    webIdFederationData: o.webIdProvider ? { federatedProvider: o.webIdProvider, attributes: EMPTY } : EMPTY,
    attributes: { creationDate: isoSeconds(o.created), mfaAuthenticated: String(o.mfa ?? false) },
  };
  if (o.sourceIdentity) ctx.sourceIdentity = o.sourceIdentity;
  const id: Identity = {
    type: "AssumedRole",
    principalId: `${r.principalId}:${sessionName}`,
    arn: `arn:aws:sts::${r.account}:assumed-role/${r.name}/${sessionName}`,
    accountId: r.account,
    accessKeyId: o.accessKeyId,
    sessionContext: ctx,
  };
  if (o.invokedBy) id.invokedBy = o.invokedBy;
  return id;
}

/** The root user, in a console session or signing in. */
export function rootUser(account: string, o: { accessKeyId?: string; session?: { created: number; mfa: boolean } } = {}): Identity {
  const id: Identity = { type: "Root", principalId: account, arn: `arn:aws:iam::${account}:root`, accountId: account };
  if (o.accessKeyId) id.accessKeyId = o.accessKeyId;
  if (o.session) {
    id.sessionContext = {
      sessionIssuer: EMPTY,
      webIdFederationData: EMPTY,
      attributes: { creationDate: isoSeconds(o.session.created), mfaAuthenticated: String(o.session.mfa) },
    };
  }
  return id;
}

/** An AWS service acting on its own (e.g. lambda.amazonaws.com assuming an execution role). */
export function awsService(invokedBy: string): Identity {
  return { type: "AWSService", invokedBy };
}

/** A person signed in to the IAM Identity Center access portal. */
export function identityCenterUser(account: string, identityStoreId: string, userId: string, credentialId: string): Identity {
  return {
    type: "IdentityCenterUser",
    accountId: account,
    onBehalfOf: { userId, identityStoreArn: `arn:aws:identitystore::${account}:identitystore/${identityStoreId}` },
    credentialId,
  };
}

/** The caller of AssumeRoleWithSAML. */
export function samlUser(account: string, providerName: string, userName: string): Identity {
  const idp = stableUpper(28, "saml", account, providerName).replace(/[0-9]/g, "a");
  return {
    type: "SAMLUser",
    principalId: `${idp}:${userName}`,
    userName,
    identityProvider: idp,
  };
}

/** The caller of AssumeRoleWithWebIdentity (here: GitHub Actions OIDC). */
export function webIdentityUser(account: string, provider: string, subject: string, audience = "sts.amazonaws.com"): Identity {
  return {
    type: "WebIdentityUser",
    principalId: `arn:aws:iam::${account}:oidc-provider/${provider}:${audience}:${subject}`,
    userName: subject,
    identityProvider: `arn:aws:iam::${account}:oidc-provider/${provider}`,
  };
}
