import { MemoryThresholdStore } from "../../functions/adapters/local/memory-threshold-store";
import type { Alert } from "../../functions/core/alert/alert";
import type { LogFileRef, LogSource } from "../../functions/core/ports";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { ThresholdTracker } from "../../functions/core/rules/threshold-tracker";
import { scanLogs } from "../../functions/core/scan";
import { loadExamples } from "./rules/examples";
import { expandSequence, type Sequence } from "./rules/sequences";

const RULE = "ec2.password-data-read-burst";

/** A source of in-memory files, in the order given. */
function files(contents: Record<string, Record<string, unknown>[]>): LogSource {
  return {
    async *files() {
      for (const id of Object.keys(contents)) yield { id };
    },
    read: async (f: LogFileRef) => ({ records: contents[f.id]!, invalid: [], bytes: 0 }),
  };
}

describe("scanLogs with threshold rules", () => {
  it("hands each threshold alert to onThresholdAlert with the file whose events reached the threshold", async () => {
    // Prepare: a burst of GetPasswordData calls (threshold 5), 3 in the first file and 3 in the second.
    const burst = expandSequence(loadExamples(RULE)!.positive[0] as unknown as Sequence);
    const seen: { rule: string; file: string }[] = [];
    // Act
    const result = await scanLogs(files({ "first.json": burst.slice(0, 3), "second.json": burst.slice(3, 6) }), new RuleEngine(catalog, { only: [RULE] }), {
      thresholds: new ThresholdTracker(new MemoryThresholdStore()),
      onThresholdAlert: (a: Alert, f: LogFileRef) => seen.push({ rule: a.rule, file: f.id }),
    });
    // Assess
    expect(result.alerts.map((a) => a.rule)).toEqual([RULE]);
    expect(seen).toEqual([{ rule: RULE, file: "second.json" }]);
  });
});
