import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MemoryThresholdStore } from "../../../functions/adapters/local/memory-threshold-store";
import type { Alert } from "../../../functions/core/alert/alert";
import { decodeLogText } from "../../../functions/core/record/decode";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { isThresholdRule } from "../../../functions/core/rules/threshold-rule";
import { ThresholdTracker } from "../../../functions/core/rules/threshold-tracker";
import { scanLogs } from "../../../functions/core/scan";

/** One labelled Panther test event (see test/fixtures/panther/NOTICE.md). */
export interface PantherCase {
  rule_id: string;
  test_name: string;
  expected: boolean;
  event_shape: "cloudtrail_record" | "lowercased_keys" | "partial_or_enrichment_only";
  threshold: number | null;
  event: Record<string, unknown>;
}

export const PANTHER_CORPUS = join(__dirname, "../../fixtures/panther/panther_cloudtrail_tests.jsonl");

/** Every test case of Panther's CloudTrail rules, in corpus order. */
export function pantherCases(): PantherCase[] {
  return readFileSync(PANTHER_CORPUS, "utf8").split("\n").filter((l) => l.trim()).map((l) => JSON.parse(l) as PantherCase);
}

/** Catalog rules that claim to cover each Panther rule (`references.panther`). */
export function coveringRules(): Map<string, string[]> {
  const covering = new Map<string, string[]>();
  for (const r of catalog) for (const p of r.references.panther ?? []) covering.set(p, [...(covering.get(p) ?? []), r.id]);
  return covering;
}

/**
 * The alerts of `ruleIds` on one Panther test event, read the way `trailwatch scan` reads a file
 * (decoded, then scanned with threshold counting). Panther's unit tests judge its per-event logic and
 * leave its thresholds to its backend, so threshold rules here count with a threshold of 1: the
 * verdict is whether the rule counts the event at all.
 */
export async function alertsOn(event: Record<string, unknown>, ruleIds: string[]): Promise<{ alerts: Alert[]; ruleErrors: unknown[] }> {
  const ids = new Set(ruleIds);
  const settings = Object.fromEntries(catalog.filter((r) => ids.has(r.id) && isThresholdRule(r)).map((r) => [r.id, { threshold: 1 }]));
  const engine = new RuleEngine(catalog, { only: ruleIds, settings });
  const decoded = decodeLogText(JSON.stringify(event), "panther-case");
  const result = await scanLogs(
    { files: async function* () { yield { id: "panther-case" }; }, read: async () => ({ records: decoded.records, invalid: decoded.invalid, bytes: 0 }) },
    engine,
    { thresholds: new ThresholdTracker(new MemoryThresholdStore()) },
  );
  return { alerts: result.alerts, ruleErrors: result.ruleErrors };
}
