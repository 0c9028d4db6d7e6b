import type { RemediationRefusal, RemediationResult } from "../../../core/alert/alert";
import { ACCOUNT_ID, REGION } from "../../../core/aws/identifiers";
import { roleArnFromSessionArn } from "../../../core/record/principal";
import { accountOfRecord, isFailedCall, parseRecord } from "../../../core/record/schema";
import {
  accountSegmentProblem,
  DEFAULT_MAX_EVENT_AGE_MINUTES,
  eventAgeProblem,
  eventCopyDifferences,
  type LogObjectRef,
} from "../../../core/remediation/event-checks";
import { dueRemediation, type RemediationMode } from "../../../core/remediation/permissions";
import { DEFAULT_PROTECTED_TARGETS, protectedBy, rolePatternOf } from "../../../core/remediation/protected-targets";
import { RuleEngine, type Finding } from "../../../core/rules/engine";
import type { RemediationId } from "../../../core/rules/rule";
import { awsErrorName, isTransientAwsError } from "../aws-error";
import type { EventHistory } from "./event-history";
import { MemberRoleError, type MemberAccounts } from "./member-access";
import type { RemediationLedger } from "./remediation-ledger";
import { describeCall, RemediationTransientError, type Plan, type PlanningRemediator } from "./types";

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
  remediators: Readonly<Partial<Record<RemediationId, PlanningRemediator>>>;
  /** Resolved lazily (e.g. STS GetCallerIdentity) the first time a remediation is due; undefined when unknown. */
  self: () => Promise<SelfIdentity | undefined>;
  /**
   * Other trailwatch roles whose events are never remediated and which are never changed (role or
   * session ARNs), e.g. the log analyzer's role when this runs in the separate remediator function.
   */
  ownRoles?: readonly string[];
  /**
   * A role in the Organization's member accounts that this function may assume: with it, events of
   * other accounts are verified and remediated there, with that account's credentials. Without it they are skipped.
   */
  memberAccounts?: MemberAccounts;
  /** CloudTrail's event history of this function's own account (LookupEvents): where every event is verified. */
  eventHistory: EventHistory;
  /** The remediation ledger (by event id). Apply mode does not act without one. */
  ledger?: RemediationLedger;
  /** Events older than this are refused (default {@link DEFAULT_MAX_EVENT_AGE_MINUTES} minutes). */
  maxEventAgeMs?: number;
  /**
   * Protected targets (ARN patterns) besides {@link DEFAULT_PROTECTED_TARGETS} and trailwatch's own
   * roles (`self`, `ownRoles`, the member role), which are always protected.
   */
  protectedTargets?: readonly string[];
  /** Clock, for tests. */
  now?: () => Date;
}

/** What the runner needs to know about the finding's origin and the caller's retry budget. */
export interface RunOptions {
  /** The log object the finding's record was read from: its key's account segment must be the event's account. */
  source: LogObjectRef;
  /** Whether a transient failure (throttling, an event not yet in the event history) throws {@link RemediationTransientError} for the caller to retry. */
  retryTransient?: boolean;
}

/** How long a ledger entry outlives the age limit (clock skew, a slow retry): by then the event can never pass it. */
const LEDGER_MARGIN_MS = 24 * 3600_000;
/** CloudTrail event ids are UUIDs; anything else is not looked up. */
const EVENT_ID = /^[A-Za-z0-9-]{1,128}$/;

/** The refusal to act before anything was touched, with its reason. */
class Refusal {
  constructor(
    readonly refused: RemediationRefusal,
    readonly why: string,
  ) {}
}

/**
 * Decides whether a finding is remediated and runs its remediator. A log file is attacker-writable
 * (anyone who can write to the trail bucket can drop one), so nothing is done on the file's word:
 *
 * 1. Guards on the file's copy: off unless the rule is configured `dry-run` or `apply`; never for a
 *    failed call; never for an event of this function's role, another trailwatch role (`ownRoles`)
 *    or a member-role session (no remediation loops), nor when its own identity cannot be told.
 * 2. Refusals on the file's copy (`refused` in the result, nothing touched): the event's account is
 *    not the account segment of the log object's key (`account-mismatch`); it is older than the age
 *    limit or dated in the future (`stale`).
 * 3. Verification (`verifiedBy: lookup-events`): CloudTrail's event history (LookupEvents by event
 *    id) in the event's account (through the member role for other accounts) and region must hold
 *    the event with the same facts (source, name, time, region, account, caller ARN and access key,
 *    outcome), the rule must match CloudTrail's copy, and the remediation must plan exactly the same
 *    calls from both copies. The remediation then runs on CloudTrail's copy, never on the file's.
 *    An event not found yet is a transient failure while `retryTransient` (the history is eventually
 *    consistent), then `unverified`; so is any other lookup failure.
 * 4. A target matching a protected pattern is never changed (`protected-target`).
 * 5. Dry-run stops here (`planned`, with the exact calls). Apply claims the event in the ledger
 *    first (`already-remediated` when trailwatch handled it before, from any log object), then the
 *    remediator re-checks the current state and acts; the result carries what it found and did.
 *
 * The guards and checks run in dry-run too (verification included), so a dry-run shows what apply
 * would really do.
 */
export class RemediationRunner {
  private readonly engines = new Map<string, RuleEngine>();
  private readonly maxAgeMs: number;
  private readonly now: () => Date;

  constructor(private readonly opts: RemediationRunnerOptions) {
    this.maxAgeMs = opts.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MINUTES * 60_000;
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * The outcome for `alert.remediation`, or null when remediation is off for the rule. A transient
   * failure throws {@link RemediationTransientError} when `retryTransient` (the caller then retries
   * the whole message); otherwise it is reported as `failed` (or `unverified` for the lookup).
   */
  async run(f: Finding, opts: RunOptions): Promise<RemediationResult | null> {
    const due = dueRemediation(this.opts.modes, f.rule);
    if (!due) return null;
    const { id, mode } = due;
    const out = (status: RemediationResult["status"], detail: string): RemediationResult => ({ action: id, mode, status, detail });
    const refuse = (r: Refusal, verified: boolean): RemediationResult => ({
      ...out("skipped", `not remediated: ${r.refused}: ${r.why}`),
      checks: { ...(verified ? { verifiedBy: "lookup-events" as const } : {}), refused: r.refused },
    });
    const remediator = this.opts.remediators[id];
    if (!remediator) return out("failed", `no remediator is registered for ${id}`);

    const self = await this.opts.self();
    const selfRole = roleKey(self?.roleArn);
    if (!self || !selfRole) return out("failed", "could not tell this function's own role; not remediating, so it can never act on its own changes");
    const guard = this.guard(f, self);
    if (guard) return out("skipped", guard);

    const r = f.record;
    const early = this.refusalOf(f, opts.source);
    if (early) return refuse(early, false);

    const account = accountOfRecord(r);
    const member = this.opts.memberAccounts;
    let act = remediator;
    let history = this.opts.eventHistory;
    let access: (() => Promise<void>) | undefined;
    if (account !== self.accountId) {
      if (!member) return out("skipped", `the event is in account ${account} but this function runs in ${self.accountId}; it remediates only its own account`);
      if (!ACCOUNT_ID.test(account)) return out("skipped", `the event names no account (${account}); not remediating in another account`);
      const there = member.remediators(account)[id];
      if (!there) return out("failed", `no remediator is registered for ${id} in member accounts`);
      act = there;
      history = member.eventHistory(account);
      access = () => member.access(account);
    }

    try {
      // Dry-run needs the member account's credentials too: it verifies the event there.
      if (access) await access();
      const verified = await this.verify(f, history, account, opts.retryTransient ?? false);
      if (verified instanceof Refusal) return refuse(verified, false);
      const aws = verified;
      const again = this.guard(aws, self);
      if (again) return { ...out("skipped", again), checks: { verifiedBy: "lookup-events" } };

      const filePlan = act.plan(f);
      const plan = act.plan(aws);
      const differs = planDifference(filePlan, plan);
      if (differs) return refuse(new Refusal("unverified", differs), false);
      if ("skip" in plan) return { ...out("skipped", plan.skip), checks: { verifiedBy: "lookup-events" } };
      const guarded = this.protectedTarget(plan.targetArns, self);
      if (guarded) return refuse(new Refusal("protected-target", `${plan.target} is protected (${guarded}); it is never changed automatically`), true);

      if (mode === "dry-run") return withVerified(await act.apply(aws, "dry-run"));
      return await this.applyOnce(act, aws, opts, id, out, refuse);
    } catch (e) {
      if (e instanceof RemediationTransientError && !opts.retryTransient) return out("failed", `${e.message} (gave up retrying)`);
      if (e instanceof MemberRoleError) return out("failed", e.message);
      throw e;
    }
  }

  /** Why the event must not be acted on whoever wrote it (a failed call, trailwatch's own doing), or undefined. */
  private guard(f: Finding, self: SelfIdentity): string | undefined {
    const r = f.record;
    if (isFailedCall(r)) return `the call failed (${r.errorCode}); nothing changed, so there is nothing to undo`;
    const actor = roleKey(f.principal.id) ?? roleKey(r.userIdentity?.arn ?? undefined);
    if (actor === roleKey(self.roleArn)) return `the event was made by trailwatch's own role (${self.roleArn}); its own actions are never remediated`;
    const other = (this.opts.ownRoles ?? []).find((arn) => actor !== undefined && roleKey(arn) === actor);
    if (other) return `the event was made by trailwatch's own role (${other}); its own actions are never remediated`;
    const member = this.opts.memberAccounts;
    const [actorAccount, actorRole] = actor?.split(":") ?? [];
    if (member && actorRole === member.roleName.toLowerCase()) {
      return `the event was made by trailwatch's member-account role (${member.roleName} in account ${actorAccount}); its own actions are never remediated`;
    }
    return undefined;
  }

  /** Refusals that need no lookup: the log object's account segment and the event's age. */
  private refusalOf(f: Finding, source: LogObjectRef): Refusal | undefined {
    const wrongAccount = accountSegmentProblem(f.record, source);
    if (wrongAccount) return new Refusal("account-mismatch", wrongAccount);
    const old = eventAgeProblem(f.record.eventTime, this.now(), this.maxAgeMs);
    if (old) return new Refusal("stale", old);
    return undefined;
  }

  /**
   * CloudTrail's own finding for the event: its copy from the event history, checked against the
   * file's copy, with the rule evaluated on it. A {@link Refusal} (`unverified`) when it cannot be had.
   */
  private async verify(f: Finding, history: EventHistory, account: string, retryTransient: boolean): Promise<Finding | Refusal> {
    const r = f.record;
    const unverified = (why: string) => new Refusal("unverified", why);
    const eventId = r.eventID ?? "";
    if (!EVENT_ID.test(eventId)) return unverified("the event has no usable eventID to look up in CloudTrail's event history");
    const region = r.awsRegion ?? "";
    if (!REGION.test(region)) return unverified("the event has no usable awsRegion to look it up in");
    const where = `CloudTrail's event history (LookupEvents) of account ${account} in ${region}`;
    let raw: Record<string, unknown> | undefined;
    try {
      raw = await history.find(eventId, region);
    } catch (e) {
      const why = `looking up event ${eventId} in ${where} failed: ${awsErrorName(e)}: ${(e as Error)?.message ?? String(e)}`;
      if (isTransientAwsError(e)) {
        if (retryTransient) throw new RemediationTransientError(why, { cause: e });
        return unverified(`${why} (gave up retrying)`);
      }
      return unverified(why);
    }
    if (!raw) {
      // The history is eventually consistent: a genuine event may show up a little after its log file.
      if (retryTransient) throw new RemediationTransientError(`event ${eventId} is not in ${where} yet; retrying later before calling it unverified`);
      return unverified(`event ${eventId} is not in ${where}: nothing shows that AWS recorded what the log file says`);
    }
    const parsed = parseRecord(raw);
    if (!parsed.ok) return unverified(`CloudTrail's copy of event ${eventId} is not a usable record (${parsed.reason})`);
    const diffs = eventCopyDifferences(r, parsed.record);
    if (diffs.length > 0) return unverified(`the log file's copy of event ${eventId} differs from CloudTrail's: ${diffs.join("; ")}`);
    const ev = this.engineFor(f).evaluate(raw as { eventSource: string; eventName: string });
    const aws = ev.kind === "findings" ? ev.findings.find((x) => x.rule.id === f.rule.id) : undefined;
    if (!aws) return unverified(`rule ${f.rule.id} does not match CloudTrail's copy of event ${eventId}`);
    return aws;
  }

  /** The first protected pattern a target matches (defaults, configured, trailwatch's own roles), or undefined. */
  private protectedTarget(arns: readonly string[], self: SelfIdentity): string | undefined {
    const own = [self.roleArn, ...(this.opts.ownRoles ?? [])].map((a) => (a ? rolePatternOf(a) : undefined)).filter((p): p is string => Boolean(p));
    const member = this.opts.memberAccounts ? [`arn:*:iam::*:role/${this.opts.memberAccounts.roleName}`] : [];
    const patterns = [...DEFAULT_PROTECTED_TARGETS, ...(this.opts.protectedTargets ?? []), ...own, ...member];
    for (const arn of arns) {
      const p = protectedBy(patterns, arn);
      if (p) return `${arn} matches the protected target pattern ${p}`;
    }
    return undefined;
  }

  /** Apply mode: claim the event in the ledger, act (the remediator re-checks first), record the outcome. */
  private async applyOnce(
    act: PlanningRemediator,
    aws: Finding,
    opts: RunOptions,
    id: RemediationId,
    out: (status: RemediationResult["status"], detail: string) => RemediationResult,
    refuse: (r: Refusal, verified: boolean) => RemediationResult,
  ): Promise<RemediationResult> {
    const ledger = this.opts.ledger;
    if (!ledger) return { ...out("failed", "no remediation ledger is configured; not acting without one (it keeps an event from being remediated twice)"), checks: { verifiedBy: "lookup-events" } };
    const eventId = aws.record.eventID!;
    const source = `s3://${opts.source.bucket}/${opts.source.key}`;
    let claim;
    try {
      claim = await ledger.claim(eventId, { source, action: id, keepUntil: new Date(this.now().getTime() + this.maxAgeMs + LEDGER_MARGIN_MS) });
    } catch (e) {
      const why = `the remediation ledger could not claim event ${eventId}: ${awsErrorName(e)}: ${(e as Error)?.message ?? String(e)}; not acting without it`;
      if (isTransientAwsError(e)) throw new RemediationTransientError(why, { cause: e });
      return { ...out("failed", why), checks: { verifiedBy: "lookup-events" } };
    }
    if (claim.status === "taken") {
      const e = claim.entry;
      if (e?.state === "done" && e.outcome && e.source === source) {
        // This log object's own earlier attempt (its message failed later and came back): report what it did.
        return { ...out(e.outcome.status, `${e.outcome.detail} (done at ${e.claimedAt} on an earlier attempt for this log file; not done again)`), ...(e.outcome.checks ? { checks: e.outcome.checks } : {}) };
      }
      const when = !e ? "earlier" : e.state === "done" ? `at ${e.claimedAt} (read from ${e.source}; ${e.outcome?.status ?? "done"})` : `right now (since ${e.claimedAt}, read from ${e.source})`;
      return refuse(new Refusal("already-remediated", `trailwatch handled event ${eventId} ${when}; it is never remediated twice`), true);
    }
    let res: RemediationResult;
    try {
      res = withVerified(await act.apply(aws, "apply"));
    } catch (e) {
      // Nothing was done (a transient failure, or a bug): the retry may act.
      await ledger.release(eventId, claim.token).catch(() => undefined);
      throw e;
    }
    try {
      await ledger.complete(eventId, claim.token, { status: res.status, detail: res.detail, ...(res.checks ? { checks: res.checks } : {}) });
    } catch (e) {
      res = { ...res, detail: `${res.detail} (the remediation ledger could not record it: ${awsErrorName(e)})` };
    }
    return res;
  }

  private engineFor(f: Finding): RuleEngine {
    let e = this.engines.get(f.rule.id);
    if (!e) this.engines.set(f.rule.id, (e = new RuleEngine([f.rule], { settings: { [f.rule.id]: f.ctx.settings } })));
    return e;
  }
}

function withVerified(res: RemediationResult): RemediationResult {
  return { ...res, checks: { verifiedBy: "lookup-events", ...res.checks } };
}

/** Why the plans of the file's copy and CloudTrail's copy differ (what would be changed), or undefined when they agree. */
function planDifference(file: Plan, aws: Plan): string | undefined {
  const words = (p: Plan) => ("skip" in p ? `nothing (${p.skip})` : p.calls.map(describeCall).join("; then "));
  if (JSON.stringify(file) === JSON.stringify(aws)) return undefined;
  const cut = (s: string) => (s.length > 300 ? `${s.slice(0, 299)}…` : s);
  return `what the remediation would change differs between the log file's copy and CloudTrail's: the file's copy asks for ${cut(words(file))}, CloudTrail's for ${cut(words(aws))}`;
}
