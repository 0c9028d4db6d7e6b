import { accountOfRecord } from "../../record/schema";
import { actor } from "../helpers";
import { defineRule, type AnyRule } from "../rule";
import { sigmaMatcher } from "./evaluate";
import type { SigmaSpec } from "./spec";

/**
 * The attribution every alert of a Sigma rule carries: Sigma's Detection Rule License asks that
 * alerts based on a rule name its author.
 */
export function sigmaRuleAttribution(spec: Pick<SigmaSpec, "title" | "author" | "license">): string {
  return `Sigma rule "${spec.title}" by ${spec.author ?? "an author the rule does not name"}${spec.license ? ` (${spec.license})` : ""}`;
}

/**
 * A compiled Sigma rule as a trailwatch rule: indexed by the event sources and names its condition
 * requires (without regard to case, like every Sigma value), evaluated on every call it could match,
 * failed ones included (a Sigma rule says itself whether `errorCode` matters). Its alerts carry the
 * Sigma rule's id, title, author and file in `context.sigma`, and `context.attribution`.
 */
export function sigmaRule(spec: SigmaSpec): AnyRule {
  const matches = sigmaMatcher(spec);
  const sigma = { ...(spec.sigmaId ? { id: spec.sigmaId } : {}), title: spec.title, ...(spec.author ? { author: spec.author } : {}), file: spec.file };
  return defineRule({
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    description: spec.description ?? spec.title,
    eventSources: spec.index.eventSources === "*" ? ["*"] : spec.index.eventSources,
    eventNames: spec.index.eventNames,
    indexIgnoresCase: true,
    includeFailedCalls: true,
    match: (r) => matches(r),
    summary: (r, { principal }) => `${actor(principal)} called ${r.eventName} (${r.eventSource.replace(/\.amazonaws\.com$/, "")}) in account ${accountOfRecord(r)}${r.errorCode ? `, refused (${r.errorCode})` : ""}: matches Sigma rule "${spec.title}"`,
    context: () => ({ sigma, attribution: sigmaRuleAttribution(spec) }),
    status: spec.status === "stable" ? "stable" : "experimental",
    falsePositives: spec.falsePositives,
    references: {
      mitre: spec.mitre,
      urls: spec.references,
      ...(spec.author ? { derivedFrom: [{ sigma: spec.title, author: spec.author }] } : {}),
    },
  });
}
