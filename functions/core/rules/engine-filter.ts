import type { ReadOptions } from "../ports";
import { fieldMask } from "../record/record-fields";
import { RECORD_USE, viewUse, type RecordFilter, type RecordUse, type SelectiveDecoder } from "../record/record-filter";
import type { RuleEngine, Split } from "./engine";
import { isRawThresholdRule } from "./threshold-rule";

/** How a scan decodes files: selectively, in full, or selectively where it pays (`auto`). */
export type Decoding = "auto" | "selective" | "full";

/**
 * The engine as a record filter for selective decoding: what its rules need of a record, decided
 * from the record's keys before it is parsed: nothing (no rule would see it), a view of the fields the
 * raw observers that would see it declare (`rawFields`), or the parsed record.
 */
export function recordFilter(engine: RuleEngine): RecordFilter {
  const uses = new WeakMap<Split, RecordUse>();
  return {
    use(keys) {
      // The rules `evaluate` would run on the record, found as it finds them; the keys are read only as needed.
      const e = engine.entry(keys.eventSource, keys.eventName);
      if (e.all.length === 0) return RECORD_USE.count;
      const f = e.filtered;
      const split = e.split ?? engine.filteredSplit(e, f!, keys.identityType, f!.eventTypes.size ? keys.eventType : undefined, f!.errorCodes.size ? keys.errorCode : undefined);
      let use = uses.get(split);
      if (use === undefined) uses.set(split, (use = useOf(split)));
      return use;
    },
  };
}

function useOf(split: Split): RecordUse {
  if (split.parsed.length > 0) return RECORD_USE.parse;
  if (split.raw.length === 0) return RECORD_USE.count;
  if (!split.raw.every((r) => r.rule.rawFields)) return RECORD_USE.parse;
  return viewUse(split.raw.reduce((m, r) => m | fieldMask(r.rule.rawFields!), 0));
}

/**
 * False when a raw observer sees (nearly) every record: a rule on every event source and name with no
 * event type or error code to narrow it (identity types do not: most records are people's and
 * workloads' calls). A view of nearly every record is then needed, and locating its fields in the text
 * costs as much as parsing the record (measured: `docs/benchmarks.md`), so files are parsed whole.
 */
export function prefersSelectiveDecoding(engine: RuleEngine): boolean {
  return !engine.rules.some((r) => isRawThresholdRule(r) && r.eventSources.includes("*") && r.eventNames === "*" && !r.eventTypes && !r.errorCodes);
}

/** What a scan with this engine asks its source (`ScanOptions.read`): selective decoding with `decoder`, where chosen. */
export function readOptionsFor(engine: RuleEngine, decoding: Decoding, decoder: SelectiveDecoder): ReadOptions {
  const selective = decoding === "selective" || (decoding === "auto" && prefersSelectiveDecoding(engine));
  return selective ? { filter: recordFilter(engine), selective: decoder } : {};
}
