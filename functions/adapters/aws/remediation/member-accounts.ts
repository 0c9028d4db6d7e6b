import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import type { RemediationId } from "../../../core/rules/rule";
import { awsErrorName, isTransientAwsError } from "../aws-error";
import type { EventHistory } from "./event-history";
import { MemberRoleError, type MemberAccounts } from "./member-access";
import { RemediationTransientError, type PlanningRemediator } from "./types";

/** The session name the remediator's member-account sessions carry (seen in the member account's CloudTrail). */
export const MEMBER_SESSION_NAME = "trailwatch-remediator";
/** Session length: AssumeRole's minimum; a remediation takes seconds and the remediator times out after 60. */
export const MEMBER_SESSION_SECONDS = 900;
/** Cached credentials are used until this long before they expire (the SDK clients refresh in the same window). */
export const MEMBER_REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** AWS credentials, as SDK clients take them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** A credential provider, as SDK clients take it. */
export type CredentialProvider = () => Promise<AwsCredentials>;

export interface MemberAccountRemediatorsOptions {
  /** The role's name (no path), e.g. `trailwatch-remediation`. */
  roleName: string;
  /** The external id the member role's trust policy requires, if any. */
  externalId?: string;
  /** Partition of the role ARNs (that of the function's own role). */
  partition: string;
  /** Calls AssumeRole (an STS client of the function's region: STS's regional endpoint). */
  sts: Pick<STSClient, "send">;
  /** The remediators of one account, built with clients that sign with `credentials`. */
  remediatorsFor: (credentials: CredentialProvider) => Partial<Record<RemediationId, PlanningRemediator>>;
  /** CloudTrail's event history of one account, read with clients that sign with `credentials`. */
  eventHistoryFor: (credentials: CredentialProvider) => EventHistory;
  /** Clock, for tests. */
  now?: () => number;
}

/**
 * Remediates in member accounts through a role there: STS AssumeRole on
 * `arn:<partition>:iam::<account>:role/<roleName>` (session `trailwatch-remediator`, 15 minutes, the
 * external id when configured). Credentials are cached per account and renewed shortly before they
 * expire; a failed AssumeRole is not cached, so the next remediation asks again. Each account gets
 * its own remediators and event history (and clients), whose credential provider reads this cache.
 */
export class MemberAccountRemediators implements MemberAccounts {
  private readonly credentials = new Map<string, Promise<AwsCredentials>>();
  private readonly byAccount = new Map<string, Partial<Record<RemediationId, PlanningRemediator>>>();
  private readonly histories = new Map<string, EventHistory>();
  private readonly now: () => number;

  constructor(private readonly opts: MemberAccountRemediatorsOptions) {
    this.now = opts.now ?? Date.now;
  }

  get roleName(): string {
    return this.opts.roleName;
  }

  /** The member role's ARN in `account`. */
  roleArn(account: string): string {
    return `arn:${this.opts.partition}:iam::${account}:role/${this.opts.roleName}`;
  }

  async access(account: string): Promise<void> {
    await this.credentialsOf(account);
  }

  remediators(account: string): Readonly<Partial<Record<RemediationId, PlanningRemediator>>> {
    let r = this.byAccount.get(account);
    if (!r) this.byAccount.set(account, (r = this.opts.remediatorsFor(() => this.credentialsOf(account))));
    return r;
  }

  eventHistory(account: string): EventHistory {
    let h = this.histories.get(account);
    if (!h) this.histories.set(account, (h = this.opts.eventHistoryFor(() => this.credentialsOf(account))));
    return h;
  }

  /** The account's credentials: cached while they are good for more than the refresh window, else assumed anew. */
  async credentialsOf(account: string): Promise<AwsCredentials> {
    const cached = this.credentials.get(account);
    if (cached) {
      const c = await cached.catch(() => undefined);
      if (c?.expiration && c.expiration.getTime() - this.now() > MEMBER_REFRESH_BEFORE_EXPIRY_MS) return c;
      // Another caller may have started renewing while this one waited: share that.
      const current = this.credentials.get(account);
      if (current && current !== cached) return current;
    }
    const fresh = this.assume(account);
    this.credentials.set(account, fresh);
    fresh.catch(() => {
      if (this.credentials.get(account) === fresh) this.credentials.delete(account);
    });
    return fresh;
  }

  private async assume(account: string): Promise<AwsCredentials> {
    const roleArn = this.roleArn(account);
    let res;
    try {
      res = await this.opts.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          RoleSessionName: MEMBER_SESSION_NAME,
          DurationSeconds: MEMBER_SESSION_SECONDS,
          ...(this.opts.externalId ? { ExternalId: this.opts.externalId } : {}),
        }),
      );
    } catch (e) {
      const name = awsErrorName(e);
      const text = `could not assume the member role ${roleArn} in account ${account}: ${name}: ${(e as Error)?.message ?? String(e)}`;
      if (isTransientAwsError(e)) throw new RemediationTransientError(text, { cause: e });
      const hint =
        name === "AccessDenied"
          ? "; the role is missing in that account (the member-role stack set does not reach it, e.g. the management account) or does not trust this remediator's role" +
            (this.opts.externalId ? " with this external id" : "")
          : "";
      throw new MemberRoleError(text + hint, { cause: e });
    }
    const c = res.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new MemberRoleError(`AssumeRole of ${roleArn} in account ${account} returned no credentials`);
    return {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
      // STS always says when they expire; without it, assume the session length asked for.
      expiration: c.Expiration ?? new Date(this.now() + MEMBER_SESSION_SECONDS * 1000),
    };
  }
}
