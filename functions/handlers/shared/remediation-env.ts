import * as z from "../../core/zod";
import { DEFAULT_MAX_EVENT_AGE_MINUTES, MAX_EVENT_AGE_MINUTES_RANGE } from "../../core/remediation/event-checks";
import type { RemediationMode } from "../../core/remediation/permissions";
import { arnPatternProblem } from "../../core/remediation/protected-targets";
import { jsonVar, tableVar } from "./env";

/** Most protected-target patterns a deployment passes (Lambda's 4 KB environment is the real bound). */
export const MAX_PROTECTED_TARGETS = 50;

/** `MAX_EVENT_AGE_MINUTES`: events older than this are never remediated (default 60). */
export const maxEventAgeVar = () =>
  z._default(
    z.coerce
      .number()
      .check(
        z.int(),
        z.minimum(MAX_EVENT_AGE_MINUTES_RANGE.min, `must be at least ${MAX_EVENT_AGE_MINUTES_RANGE.min} minutes`),
        z.maximum(MAX_EVENT_AGE_MINUTES_RANGE.max, `must be at most ${MAX_EVENT_AGE_MINUTES_RANGE.max} minutes (7 days)`),
      ),
    DEFAULT_MAX_EVENT_AGE_MINUTES,
  );

/**
 * The variables of the remediation's safety checks, shared by the remediator function and the
 * in-process runner: the ledger table (required once a rule is `apply`), the age limit and the
 * protected targets added to the built-in ones.
 */
export const remediationSafetyEnv = {
  /** The remediation ledger table (by event id); required when a rule's remediation is `apply`. */
  REMEDIATION_LEDGER_TABLE: z.optional(tableVar()),
  MAX_EVENT_AGE_MINUTES: maxEventAgeVar(),
  /** A JSON array of ARN patterns never changed, besides the built-in ones and trailwatch's own roles. */
  PROTECTED_TARGETS: jsonVar(
    z._default(
      z
        .array(
          z.string().check(
            z.superRefine((p, ctx) => {
              const problem = arnPatternProblem(p);
              if (problem) ctx.addIssue({ code: "custom", message: problem });
            }),
          ),
        )
        .check(z.maxLength(MAX_PROTECTED_TARGETS, `at most ${MAX_PROTECTED_TARGETS} patterns`)),
      [],
    ),
    'a JSON array of ARN patterns such as ["arn:*:iam::*:role/*break-glass*"]',
  ),
};

/** A problem for `REMEDIATION_LEDGER_TABLE` when a rule is `apply` and the table is not set, else undefined. */
export function ledgerProblem(remediation: Record<string, RemediationMode>, table: string | undefined): string | undefined {
  const applied = Object.entries(remediation).filter(([, m]) => m === "apply").map(([id]) => id);
  if (applied.length === 0 || table) return undefined;
  return `is not set but REMEDIATION applies ${applied.join(", ")}; the ledger keeps an event from being remediated twice (set it to the remediation ledger table)`;
}
