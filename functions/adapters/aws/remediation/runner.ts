import type { RemediationResult } from "../../../core/alert/alert";
import type { Remediator } from "../../../core/ports";
import { roleArnFromSessionArn } from "../../../core/record/principal";
import { accountOf, isFailedCall } from "../../../core/record/schema";
import { remediationMode, type RemediationMode } from "../../../core/remediation/permissions";
import type { Finding } from "../../../core/rules/engine";
import type { RemediationId } from "../../../core/rules/rule";
import { MemberRoleError, type MemberAccounts } from "./member-access";
import { RemediationTransientError } from "./types";

/** Who this function runs as: its account and, when known, its IAM role. */
export interface SelfIdentity {
  accountId: string;
  /** `arn:aws:iam::<account>:role/<path/><name>` (an STS assumed-role ARN is accepted too). */
  roleArn?: string;
}

/** Builds the identity from STS GetCallerIdentity's `Account` and `Arn` (an assumed-role session in Lambda). */
export function selfFromCallerIdentity(account: string | undefined, arn: string | undefined): SelfIdentity | undefined {
  if (!account) return undefined;
  const roleArn = arn ? (roleArnFromSessionArn(arn) ?? arn) : undefined;
  return { accountId: account, ...(roleArn ? { roleArn } : {}) };
}

/**
 * `<account>:<role name>` of a role or assumed-role ARN (lower case: IAM role names are unique
 * regardless of case), so a role ARN with a path and the session ARN of the same role compare equal.
 */
export function roleKey(arn: string | undefined): string | undefined {
  const m = arn ? /^arn:[^:]+:(?:iam|sts)::(\d{12}):(role|assumed-role)\/(.+)$/.exec(arn) : null;
  if (!m) return undefined;
  const parts = m[3]!.split("/");
  const name = m[2] === "role" ? parts[parts.length - 1]! : parts[0]!;
  return `${m[1]}:${name.toLowerCase()}`;
}

export interface RemediationRunnerOptions {
  /** Mode per rule id (from `REMEDIATION`); absent = off. */
  modes: Readonly<Record<string, RemediationMode>>;
  remediators: Readonly<Partial<Record<RemediationId, Remediator>>>;
  /** Resolved lazily (e.g. STS GetCallerIdentity) the first time a remediation is due; undefined when unknown. */
  self: () => Promise<SelfIdentity | undefined>;
  /**
   * Other trailwatch roles whose events are never remediated either (role or session ARNs), e.g. the
   * log analyzer's role when this runs in the separate remediator function.
   */
  ownRoles?: readonly string[];
  /**
   * A role in the Organization's member accounts that this function may assume: with it, events of
   * other accounts are remediated there, with that account's credentials. Without it they are skipped.
   */
  memberAccounts?: MemberAccounts;
}

/**
 * Decides whether a finding is remediated and runs its remediator. The guards run in dry-run too,
 * so a dry-run shows what apply would really do:
 * - off unless the finding's rule is configured `dry-run` or `apply`;
 * - never for a failed call (`errorCode`): nothing changed, so there is nothing to undo;
 * - never for an event made by this function's own role or another trailwatch role (`ownRoles`),
 *   so trailwatch cannot react to its own changes (no remediation loops), and never when its own
 *   identity cannot be told;
 * - never for an event made by a session of the member-account role (`memberAccounts.roleName`), in
 *   any account: that is trailwatch acting in a member account;
 * - in another account than the function's own only through `memberAccounts` (its role assumed in
 *   that account, its clients signing with those credentials): the names in the event (a user, a
 *   bucket, a trail) must be resolved in the event's account. Without it such events are skipped.
 *   The role is assumed only in apply mode (dry-run touches nothing); a failure to assume it is a
 *   `failed` result naming the account and the role.
 */
export class RemediationRunner {
  constructor(private readonly opts: RemediationRunnerOptions) {}

  /** The configured mode of a rule's remediation ("off" when not configured or the rule has none). */
  modeFor(f: Finding): RemediationMode {
    return remediationMode(this.opts.modes, f.rule);
  }

  /**
   * The outcome for `alert.remediation`, or null when remediation is off for the rule. A transient
   * failure of a remediation call throws {@link RemediationTransientError} when `retryTransient`
   * (the caller then retries the whole message); otherwise it is reported as `failed`.
   */
  async run(f: Finding, opts: { retryTransient?: boolean } = {}): Promise<RemediationResult | null> {
    const mode = this.modeFor(f);
    const id = f.rule.remediation;
    if (mode === "off" || !id) return null;
    const out = (status: RemediationResult["status"], detail: string): RemediationResult => ({ action: id, mode, status, detail });
    const remediator = this.opts.remediators[id];
    if (!remediator) return out("failed", `no remediator is registered for ${id}`);
    const r = f.record;
    if (isFailedCall(r)) return out("skipped", `the call failed (${r.errorCode}); nothing changed, so there is nothing to undo`);

    const self = await this.opts.self();
    const selfRole = roleKey(self?.roleArn);
    if (!self || !selfRole) return out("failed", "could not tell this function's own role; not remediating, so it can never act on its own changes");
    const actor = roleKey(f.principal.id) ?? roleKey(r.userIdentity?.arn ?? undefined);
    if (actor === selfRole) {
      return out("skipped", `the event was made by trailwatch's own role (${self.roleArn}); its own actions are never remediated`);
    }
    const other = (this.opts.ownRoles ?? []).find((arn) => actor !== undefined && roleKey(arn) === actor);
    if (other) return out("skipped", `the event was made by trailwatch's own role (${other}); its own actions are never remediated`);
    const member = this.opts.memberAccounts;
    const [actorAccount, actorRole] = actor?.split(":") ?? [];
    if (member && actorRole === member.roleName.toLowerCase()) {
      return out("skipped", `the event was made by trailwatch's member-account role (${member.roleName} in account ${actorAccount}); its own actions are never remediated`);
    }
    const account = accountOf(r);
    let act = remediator;
    let access: (() => Promise<void>) | undefined;
    if (account !== self.accountId) {
      if (!member) {
        return out("skipped", `the event is in account ${account} but this function runs in ${self.accountId}; it remediates only its own account`);
      }
      if (!/^\d{12}$/.test(account)) return out("skipped", `the event names no account (${account}); not remediating in another account`);
      const there = member.remediators(account)[id];
      if (!there) return out("failed", `no remediator is registered for ${id} in member accounts`);
      act = there;
      access = () => member.access(account);
    }
    try {
      // Dry-run only plans: it needs no credentials of the member account.
      if (access && mode === "apply") await access();
      return await act.apply(f, mode);
    } catch (e) {
      if (e instanceof RemediationTransientError && !opts.retryTransient) return out("failed", `${e.message} (gave up retrying)`);
      if (e instanceof MemberRoleError) return out("failed", e.message);
      throw e;
    }
  }
}
