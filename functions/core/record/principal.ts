import type { UserIdentity } from "./schema";

/** The 12-digit account of a principal written as an account id, a root/IAM ARN or an STS ARN; undefined otherwise. */
export function accountOfPrincipal(v: string): string | undefined {
  if (/^\d{12}$/.test(v)) return v;
  const m = /^arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(v);
  return m ? m[1] : undefined;
}

/** Shortens a principal ARN to what people read: "role/ci-deploy", "assumed-role/ci-deploy/session"; anything else as it is. */
export function shortPrincipal(p: string): string {
  return /^arn:aws[a-z-]*:(?:iam|sts)::\d{12}:(.+)$/.exec(p)?.[1] ?? p;
}

/** The identity types CloudTrail writes in `userIdentity.type`, plus Unknown. */
export type PrincipalType =
  | "IAMUser"
  | "AssumedRole"
  | "Root"
  | "FederatedUser"
  | "AWSService"
  | "AWSAccount"
  | "IdentityCenterUser"
  | "SAMLUser"
  | "WebIdentityUser"
  | "Role"
  | "Unknown";

/** Who acted, as one stable string plus enough detail for people. */
export interface Principal {
  /**
   * Stable id of the actor, used for baselines and dedup: an IAM ARN where one exists (for an
   * assumed role, the role's ARN, not the session's), otherwise a prefixed id such as
   * `service:ec2.amazonaws.com` or `identitycenter:<store>/<userId>`.
   */
  id: string;
  type: PrincipalType;
  /** Short readable name: user name, role name, session name or service. */
  name: string;
  /** Account the principal lives in, when known. */
  accountId?: string;
  /** Session name for assumed roles and federated users (who was behind the role). */
  session?: string;
}

const KNOWN_TYPES = new Set<PrincipalType>([
  "IAMUser", "AssumedRole", "Root", "FederatedUser", "AWSService", "AWSAccount",
  "IdentityCenterUser", "SAMLUser", "WebIdentityUser", "Role",
]);

function lastSegment(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const i = arn.lastIndexOf("/");
  return i >= 0 ? arn.slice(i + 1) : arn.split(":").pop();
}

/** Turns an STS assumed-role session ARN into the IAM role ARN (keeps any role path unknown: best effort). */
export function roleArnFromSessionArn(arn: string): string | undefined {
  const m = /^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  return `arn:${m[1]}:iam::${m[2]}:role/${m[3]}`;
}

/**
 * Resolves who acted for every identity type CloudTrail writes. Never throws: an identity it
 * cannot place becomes `Unknown` with the best id available.
 */
export function resolvePrincipal(ui: UserIdentity | null | undefined): Principal {
  if (!ui) return { id: "unknown", type: "Unknown", name: "unknown" };
  const rawType = (ui.type ?? "Unknown") as PrincipalType;
  const type: PrincipalType = KNOWN_TYPES.has(rawType) ? rawType : "Unknown";
  const accountId = ui.accountId;
  const issuer = ui.sessionContext?.sessionIssuer ?? undefined;

  switch (type) {
    case "IAMUser":
      return {
        id: ui.arn ?? `arn:aws:iam::${accountId ?? "unknown"}:user/${ui.userName ?? ui.principalId ?? "unknown"}`,
        type, name: ui.userName ?? lastSegment(ui.arn) ?? "unknown", accountId,
      };
    case "Root":
      return { id: ui.arn ?? `arn:aws:iam::${accountId ?? "unknown"}:root`, type, name: "root", accountId };
    case "AssumedRole": {
      const session = lastSegment(ui.arn) ?? ui.principalId?.split(":")[1];
      const roleArn = issuer?.arn ?? (ui.arn ? roleArnFromSessionArn(ui.arn) : undefined);
      const name = issuer?.userName ?? lastSegment(roleArn) ?? "unknown-role";
      return { id: roleArn ?? ui.arn ?? ui.principalId ?? "unknown", type, name, accountId, session };
    }
    case "Role":
      return { id: ui.arn ?? ui.principalId ?? "unknown", type, name: lastSegment(ui.arn) ?? "unknown-role", accountId };
    case "FederatedUser": {
      // GetFederationToken: the issuer is the IAM user that asked for the token.
      const session = lastSegment(ui.arn);
      const id = issuer?.arn ?? ui.arn ?? ui.principalId ?? "unknown";
      return { id, type, name: issuer?.userName ?? session ?? "unknown", accountId, session };
    }
    case "AWSService": {
      const svc = ui.invokedBy ?? "unknown.amazonaws.com";
      return { id: `service:${svc}`, type, name: svc, accountId };
    }
    case "AWSAccount": {
      // Another account acted (e.g. cross-account S3 access without a role); principalId is the account or its user.
      const acct = accountId ?? ui.principalId ?? "unknown";
      const via = ui.invokedBy ? ` via ${ui.invokedBy}` : "";
      return { id: `account:${acct}${ui.principalId && ui.principalId !== acct ? `/${ui.principalId}` : ""}`, type, name: `account ${acct}${via}`, accountId: acct };
    }
    case "IdentityCenterUser": {
      const user = ui.onBehalfOf?.userId ?? ui.userName ?? ui.principalId ?? "unknown";
      const store = ui.onBehalfOf?.identityStoreArn ?? "identitystore";
      return { id: `identitycenter:${store}/${user}`, type, name: ui.userName ?? user, accountId };
    }
    case "SAMLUser":
    case "WebIdentityUser": {
      const provider = ui.identityProvider ?? "unknown-provider";
      const user = ui.userName ?? ui.principalId ?? "unknown";
      const prefix = type === "SAMLUser" ? "saml" : "webidentity";
      return { id: `${prefix}:${provider}/${user}`, type, name: user, accountId };
    }
    default:
      return {
        id: ui.arn ?? ui.principalId ?? (ui.invokedBy ? `service:${ui.invokedBy}` : "unknown"),
        type: "Unknown",
        name: ui.userName ?? lastSegment(ui.arn) ?? ui.invokedBy ?? "unknown",
        accountId,
      };
  }
}

/** True for service principals and service-linked roles, which anomaly detection ignores by default. */
export function isAwsServicePrincipal(p: Principal): boolean {
  if (p.type === "AWSService") return true;
  return /:role\/aws-service-role\//.test(p.id) || /:role\/(aws-reserved\/)?AWSServiceRoleFor/.test(p.id);
}
