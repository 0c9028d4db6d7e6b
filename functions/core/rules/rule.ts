import type * as z from "../zod";
import type { CloudTrailRecord } from "../record/schema";
import type { Principal } from "../record/principal";
import type { Severity } from "../alert/alert";

/** What a rule sees besides the record: its validated settings and the resolved principal. */
export interface RuleContext<S> {
  settings: S;
  principal: Principal;
}

/** Identifiers of the remediations the platform knows how to carry out (see adapters/aws/remediation). */
export type RemediationId =
  | "cloudtrail.start-logging"
  | "iam.detach-admin-policy"
  | "s3.restore-public-access-block"
  | "ec2.revoke-world-open-ingress";

/** How far a rule has been proven: `experimental` rules are new or noisy in some estates. */
export type RuleStatus = "experimental" | "stable";

/** A Sigma rule a trailwatch rule was ported from, and its author as the rule names them. */
export interface SigmaOrigin {
  sigma: string;
  author: string;
}

/** What a responder does first: how to tell real from routine, then how to contain it. */
export interface Runbook {
  /** Checks to run first, in order (who, from where, was it expected). */
  triage: readonly string[];
  /** How to contain or undo it when it is not expected. */
  contain: readonly string[];
}

/**
 * What `match` found: `false`, `null` or `undefined` for no match; `true` or any object (the
 * findings the rule computed, e.g. the open ports) for a match. The engine hands the value to
 * `summary`, `severityFor`, `dedupKey` and `context`, so a rule computes its findings once.
 */
export type MatchResult<M> = M | false | null | undefined;

/**
 * One detection. Pure: `match`, `summary`, `context` and `dedupKey` look only at the record and the
 * context, never at the outside world, so the same rule runs in Lambda, in the CLI and in tests.
 * `S` is the type of the rule's settings, `M` what `match` returns on a match.
 */
export interface Rule<S = undefined, M = true> {
  /** `service.what-happened`, stable: alerts are consumed by id. */
  id: string;
  title: string;
  /** Default severity; `severityFor` may raise or lower it per record. */
  severity: Severity;
  description: string;
  /**
   * eventSources this rule can match (the engine never runs it on others). `["*"]` means every source
   * and is only sensible with `identityTypes` or `eventTypes`, which keep such a rule away from most records.
   */
  eventSources: readonly string[];
  /** eventNames this rule can match, or "*" for any name of those sources. */
  eventNames: readonly string[] | "*";
  /**
   * When set, only records whose `userIdentity.type` is one of these reach `match`. Checked on the raw
   * record before validation, so e.g. a rule about the root user can look at every event source cheaply.
   */
  identityTypes?: readonly string[];
  /**
   * When set, only records whose `eventType` is one of these (e.g. `AwsVpceEvent`, the network activity
   * events of VPC endpoints) reach `match`. Checked on the raw record before validation, like
   * `identityTypes`, so a rule on every source stays cheap.
   */
  eventTypes?: readonly string[];
  /**
   * When set, only records whose `errorCode` is one of these reach the rule, checked on the raw record
   * before validation (and, when scanning files, before the record is parsed at all).
   */
  errorCodes?: readonly string[];
  /** By default only successful calls (no `errorCode`) reach `match`. */
  includeFailedCalls?: boolean;
  /**
   * `eventSources` and `eventNames` are compared without regard to case (Sigma rules, whose values
   * are case-insensitive, e.g. `eventName: stoplogging`). The engine folds case once per distinct
   * (eventSource, eventName) it meets, not per record.
   */
  indexIgnoresCase?: boolean;
  /**
   * Records the rule must fire on and records it must not, for `trailwatch test-rules` (rules of a
   * rules folder; the catalog's examples are in `test/fixtures/rules/`).
   */
  examples?: { positive: readonly Record<string, unknown>[]; negative: readonly Record<string, unknown>[] };
  match(record: CloudTrailRecord, ctx: RuleContext<S>): MatchResult<M> | true;
  /** One sentence for people: who did what to what. */
  summary(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): string;
  severityFor?(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): Severity;
  /** Events with the same key collapse into one alert within a run; default: the event id. */
  dedupKey?(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): string;
  /** The facts a responder needs, e.g. the trail name, the policy, the CIDR. */
  context?(record: CloudTrailRecord, ctx: RuleContext<S>, m: M): Record<string, unknown>;
  /** A remediation that may be enabled for this rule in config (off unless configured). */
  remediation?: RemediationId;
  /** `stable` unless said otherwise. */
  status?: RuleStatus;
  /** Routine activity that also matches, so a responder knows what to rule out first. */
  falsePositives?: readonly string[];
  runbook?: Runbook;
  references: {
    mitre?: string[];
    stratus?: string[];
    /** Panther RuleIDs this rule covers (used by the conformance test). */
    panther?: string[];
    sigma?: string[];
    /** Further reading: AWS documentation, write-ups of the technique. */
    urls?: string[];
    /**
     * Sigma rules this rule is a direct port of (their events and idea, our code). The Detection Rule
     * License 1.1 asks alerts of derived rules to name the author, so such a rule also puts
     * `sigmaAttribution(derivedFrom)` in its context.
     */
    derivedFrom?: SigmaOrigin[];
  };
  /** Typed, validated settings with defaults (e.g. secret-name patterns); any zod schema (`zod/mini` in bundled code). */
  settings?: { schema: z.core.$ZodType<S>; defaults: S };
}

/** Identity function that gives rule files full type inference for their settings and match result. */
export function defineRule<S = undefined, M = true>(rule: Rule<S, M>): Rule<S, M> {
  return rule;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRule = Rule<any, any>;
