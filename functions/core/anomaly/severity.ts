import { SEVERITIES, type Severity } from "../alert/alert";
import { classifyAction, type ActionKind } from "./actions";
import type { ObservedActivity } from "./activity";
import type { RoleTrust } from "./trust";

/** Points per new action by kind (identity: reads 2, changes 6). */
const POINTS: Record<Exclude<ActionKind, "identity">, number> = { evasion: 10, crypto: 4, data: 4, write: 3, read: 1 };

export interface SeverityInput {
  principalType: string;
  newActions: readonly ObservedActivity[];
  /** The role's trust when it could be looked up (optional cross-account read-only role). */
  trust?: RoleTrust;
}

export interface SeverityResult {
  severity: Severity;
  score: number;
  kinds: Partial<Record<ActionKind, number>>;
  /** Why this severity, for people (goes into the alert's context). */
  reasons: string[];
}

function bump(s: Severity, by: number): Severity {
  return SEVERITIES[Math.min(SEVERITIES.length - 1, Math.max(0, SEVERITIES.indexOf(s) + by))]!;
}
function atLeast(s: Severity, floor: Severity): Severity {
  return SEVERITIES.indexOf(s) >= SEVERITIES.indexOf(floor) ? s : floor;
}

/**
 * Ranks a principal's new actions.
 *
 * Base: a score of points per new action (read 1, write 3, data access 4, KMS 4, identity read 2,
 * identity change 6, turning off monitoring 10): under 3 info, under 6 low, under 12 medium, else
 * high. Floors: any monitoring change is at least high, any identity change at least medium.
 * Then one step up for the root user, and, when the role's trust policy is known, one step up for
 * a role trusted by a service (machine roles have stable habits, so novelty suggests stolen
 * credentials) or by another account, two for a role anyone may assume.
 */
export function rankNewBehavior(input: SeverityInput): SeverityResult {
  const kinds: Partial<Record<ActionKind, number>> = {};
  let score = 0;
  let identityWrites = 0;
  for (const a of input.newActions) {
    const kind = classifyAction(a.eventSource, a.eventName, a.writes);
    kinds[kind] = (kinds[kind] ?? 0) + 1;
    if (kind === "identity") {
      const write = a.writes > 0;
      if (write) identityWrites++;
      score += write ? 6 : 2;
    } else score += POINTS[kind];
  }
  const reasons: string[] = [];
  const parts = (Object.entries(kinds) as [ActionKind, number][]).map(([k, n]) => `${n} ${k}`);
  let severity: Severity = score < 3 ? "info" : score < 6 ? "low" : score < 12 ? "medium" : "high";
  reasons.push(`${input.newActions.length} new action(s) (${parts.join(", ")}) score ${score}: ${severity}`);
  if (kinds.evasion) {
    const s = atLeast(severity, "high");
    if (s !== severity) reasons.push("turns off or erases monitoring: at least high");
    severity = s;
  }
  if (identityWrites > 0) {
    const s = atLeast(severity, "medium");
    if (s !== severity) reasons.push("changes identities or permissions: at least medium");
    severity = s;
  }
  if (input.principalType === "Root") {
    severity = bump(severity, 1);
    reasons.push(`the root user acted: +1 (${severity})`);
  }
  const t = input.trust;
  if (t) {
    if (t.kinds.includes("public")) {
      severity = bump(severity, 2);
      reasons.push(`role trust policy allows any principal ("*"): +2 (${severity})`);
    } else if (t.kinds.includes("cross-account")) {
      severity = bump(severity, 1);
      reasons.push(`role is assumable from other account(s) ${t.accounts.join(", ")}: +1 (${severity})`);
    } else if (t.kinds.includes("service")) {
      severity = bump(severity, 1);
      reasons.push(`role is used by ${t.services.join(", ")}; machine roles have stable habits: +1 (${severity})`);
    } else if (t.kinds.includes("federated")) {
      reasons.push(`role is federated (${t.providers.join(", ")}); people's roles vary more: +0`);
    }
  }
  return { severity, score, kinds, reasons };
}
