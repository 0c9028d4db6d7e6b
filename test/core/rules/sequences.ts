import type { Alert } from "../../../functions/core/alert/alert";
import type { LogFileRef, LogSource, ThresholdStateStore } from "../../../functions/core/ports";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { ThresholdTracker } from "../../../functions/core/rules/threshold-tracker";
import { scanLogs, type ScanResult } from "../../../functions/core/scan";
import { MemoryThresholdStore } from "../../../functions/adapters/local/memory-threshold-store";

/**
 * Examples of threshold rules are sequences of events: each step is one full CloudTrail record,
 * repeated `repeat` times, `every` seconds apart, with the fields named in `vary` (dotted paths)
 * templated per repetition: `{i}` is the repetition (0-based), `{i%3}` it modulo 3, `{i:04d}` it
 * zero-padded. Event and request ids are made unique per repetition.
 */
export interface SequenceStep {
  record: Record<string, unknown>;
  repeat?: number;
  every?: number;
  vary?: Record<string, string | string[]>;
}

export interface Sequence {
  name: string;
  steps: SequenceStep[];
  /** Alerts of the rule the sequence must raise: 1 for a positive by default, 0 for a negative. */
  alerts?: number;
}

/** The examples file of a threshold rule. */
export interface SequenceExamples {
  positive: Sequence[];
  negative: Sequence[];
}

/** True when an examples file holds sequences (a threshold rule's) rather than single records. */
export function isSequence(v: unknown): v is Sequence {
  return !!v && typeof v === "object" && Array.isArray((v as Sequence).steps);
}

function fill(template: string, i: number): string {
  return template.replace(/\{i(?:%(\d+))?(?::0(\d+)d)?\}/g, (_m, mod: string | undefined, pad: string | undefined) => {
    const n = mod ? i % Number(mod) : i;
    return pad ? String(n).padStart(Number(pad), "0") : String(n);
  });
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split(".");
  let cur: Record<string, unknown> = obj;
  for (const p of parts.slice(0, -1)) {
    if (!cur[p] || typeof cur[p] !== "object") cur[p] = {};
    cur = cur[p] as Record<string, unknown>;
  }
  cur[parts[parts.length - 1]!] = value;
}

function uniqueId(id: unknown, step: number, i: number): unknown {
  if (typeof id !== "string") return id;
  return `${id.slice(0, -6)}${step.toString(16).padStart(2, "0")}${i.toString(16).padStart(4, "0")}`;
}

/** The records of a sequence, in the order the steps give them (times may interleave across steps). */
export function expandSequence(seq: Sequence): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  seq.steps.forEach((s, stepIndex) => {
    const base = Date.parse(String(s.record.eventTime));
    for (let i = 0; i < (s.repeat ?? 1); i++) {
      const r = structuredClone(s.record);
      r.eventTime = new Date(base + i * (s.every ?? 0) * 1000).toISOString().replace(".000Z", "Z");
      r.eventID = uniqueId(r.eventID, stepIndex, i);
      r.requestID = uniqueId(r.requestID, stepIndex, i);
      for (const [path, t] of Object.entries(s.vary ?? {})) setPath(r, path, Array.isArray(t) ? t.map((x) => fill(x, i)) : fill(t, i));
      out.push(r);
    }
  });
  return out;
}

/**
 * Runs a sequence through the scan as the CLI and the log analyzer do, with only `ruleId` and a
 * threshold store: as one log file (`"one"`), or with every event in its own file (`"each"`: the
 * state must carry the count from file to file), in the order given or shuffled (late files).
 */
export async function runSequence(
  ruleId: string,
  seq: Sequence,
  opts: { batches?: "one" | "each"; store?: ThresholdStateStore; settings?: Record<string, unknown>; order?: "given" | "reversed" } = {},
): Promise<{ alerts: Alert[]; result: ScanResult; engine: RuleEngine }> {
  const engine = new RuleEngine(catalog, { only: [ruleId], ...(opts.settings ? { settings: opts.settings } : {}) });
  let records = expandSequence(seq);
  if (opts.order === "reversed") records = [...records].reverse();
  const files = opts.batches === "each" ? records.map((r) => [r]) : [records];
  const source: LogSource = {
    async *files(): AsyncIterable<LogFileRef> {
      for (let i = 0; i < files.length; i++) yield { id: `${seq.name}#${i}` };
    },
    read: async (f) => {
      const recs = files[Number(f.id.slice(f.id.lastIndexOf("#") + 1))]!;
      return { records: recs, invalid: [], bytes: 0 };
    },
  };
  const result = await scanLogs(source, engine, { thresholds: new ThresholdTracker(opts.store ?? new MemoryThresholdStore()) });
  return { alerts: result.alerts, result, engine };
}
