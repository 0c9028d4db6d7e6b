import type { CloudTrailRecord } from "../record/schema";

/**
 * Who stands behind a call, in the coarse terms rules need to stay quiet on routine work: an AWS
 * service acting on its own or for someone (Auto Scaling, CloudFormation, AWS Backup), or a person
 * acting by hand rather than a pipeline.
 */

const SERVICE_HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com$/;

/**
 * True when an AWS service made the call: an `AWSService` identity, a call a service made with the
 * caller's credentials (`invokedBy`, e.g. CloudFormation or Auto Scaling), or a service host name as
 * the source address. The console (`signin.amazonaws.com` for root, "AWS Internal") is not a service.
 */
export function calledByAwsService(r: CloudTrailRecord): boolean {
  const ui = r.userIdentity;
  if (ui?.type === "AWSService") return true;
  const by = ui?.invokedBy;
  if (typeof by === "string" && SERVICE_HOST.test(by) && by !== "signin.amazonaws.com") return true;
  return typeof r.sourceIPAddress === "string" && SERVICE_HOST.test(r.sourceIPAddress);
}

/** Role name of an assumed-role caller (the session issuer), or undefined. */
export function callerRoleName(r: CloudTrailRecord): string | undefined {
  const ui = r.userIdentity;
  if (ui?.type !== "AssumedRole") return undefined;
  const issuer = ui.sessionContext?.sessionIssuer?.userName;
  if (issuer) return issuer;
  const m = ui.arn ? /:assumed-role\/([^/]+)\//.exec(ui.arn) : null;
  return m?.[1];
}

const CONSOLE_AGENT = /^(console(\.[a-z0-9-]+)*\.amazonaws\.com|\[?S3Console\/)/;

/**
 * True when the call came from the AWS Management Console: made with console credentials
 * (`sessionCredentialFromConsole`, logged as true or "true") or with a console user agent
 * (`console.ec2.amazonaws.com`, `[S3Console/...`). Pipelines do not use the console.
 */
export function fromConsoleSession(r: CloudTrailRecord): boolean {
  const v = (r as { sessionCredentialFromConsole?: unknown }).sessionCredentialFromConsole;
  return v === true || v === "true" || (typeof r.userAgent === "string" && CONSOLE_AGENT.test(r.userAgent));
}

/**
 * True when a person (or long-term credentials a person holds) made the call directly, not a
 * pipeline role or an AWS service: root, an IAM user, a federated user (GetFederationToken), an
 * Identity Center session (`AWSReservedSSO_*` roles) or any role session opened in the console.
 * Role sessions from SAML tools on the command line look like any other role and count as automation:
 * rules that use this say so in their false-positive notes.
 */
export function actsByHand(r: CloudTrailRecord): boolean {
  if (calledByAwsService(r)) return false;
  const t = r.userIdentity?.type;
  if (t === "Root" || t === "IAMUser" || t === "FederatedUser" || t === "IdentityCenterUser" || t === "SAMLUser") return true;
  if (t !== "AssumedRole") return false;
  return (callerRoleName(r)?.startsWith("AWSReservedSSO_") ?? false) || fromConsoleSession(r);
}

/** The 12-digit account in an ARN (`arn:partition:service:region:account:...`), or undefined. */
export function accountOfArn(arn: string | undefined): string | undefined {
  if (!arn) return undefined;
  const m = /^arn:aws[a-z-]*:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn);
  return m?.[1];
}
