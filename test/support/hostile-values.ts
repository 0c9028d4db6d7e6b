import type { Alert } from "../../functions/core/alert/alert";
import { MAX_RECORD_DEPTH } from "../../functions/core/record/limits";

/**
 * Hostile values too large to keep as fixture files, built by the tests that need them (see
 * test/fixtures/hostile/output/README.md for what each attacks).
 */

/** A value nested `n` levels deep ([[[...]]] or {"a":{"a":...}}), built without recursion. */
export function deepValue(n: number, kind: "array" | "object" = "array"): unknown {
  let v: unknown = "bottom";
  for (let i = 0; i < n; i++) v = kind === "array" ? [v] : { a: v };
  return v;
}

/** The JSON text of {@link deepValue} (JSON.stringify cannot write it: it runs out of stack). */
export function deepJson(n: number): string {
  return "[".repeat(n) + '"bottom"' + "]".repeat(n);
}

/**
 * Deepest value a record may carry and still reach the rules (a deeper record is refused while
 * reading, see test/fixtures/hostile/input): far deeper than an alert keeps.
 */
export const DEEPEST_READABLE = MAX_RECORD_DEPTH - 8;

/**
 * JSON text of `value` where every string `"__DEEP__"` is a `depth`-deep array: how tests write
 * records that hold a value deeper than alerts keep.
 */
export function jsonWithDeep(value: unknown, depth = DEEPEST_READABLE): string {
  return JSON.stringify(value).split('"__DEEP__"').join(deepJson(depth));
}

/** Characters that cost the most bytes once escaped, and a few ordinary ones. */
export const COSTLY_CHARS = ["\u0001", '"', "\\", "\u2028", "é", "😀", "a"] as const;

/** Context shapes that make the JSON, the e-mail text or both as large as the limits allow. */
export const COSTLY_CONTEXTS: Record<string, (ch: string) => Record<string, unknown>> = {
  longStrings: (ch) => ({ list: Array.from({ length: 200 }, () => ch.repeat(5000)) }),
  deepKeys: (ch) => {
    const o: Record<string, unknown> = {};
    for (let i = 0; i < 99; i++) {
      let v: unknown = 1;
      for (let d = 0; d < 7; d++) v = { [ch.repeat(3) + d]: v };
      o[ch.repeat(3) + i] = v;
    }
    return o;
  },
  tinyNested: () => ({ w: Array.from({ length: 99 }, () => Array.from({ length: 99 }, () => ({ k: { k: { k: null } } }))) }),
  wideObjects: (ch) => ({ x: Array.from({ length: 99 }, () => Object.fromEntries(Array.from({ length: 99 }, (_, i) => [ch.repeat(200) + i, ch.repeat(50)]))) }),
  tenThousandDeep: () => ({ vpcSecurityGroupIds: deepValue(10_000) }),
};

/** An alert with every field far over its limit, filled with `ch`, and the given context. */
export function maximalAlert(ch: string, context: Record<string, unknown>): Alert {
  const f = (n: number) => ch.repeat(n);
  return {
    id: f(300), rule: f(300), title: f(300), severity: "critical", account: f(300), region: f(300), principal: f(2000), principalType: f(300),
    eventSource: f(300), eventName: f(300), eventTime: f(300), eventId: f(300), summary: f(5000), context,
    remediation: { action: f(300), mode: "apply", status: "succeeded", detail: f(5000) },
    references: { mitre: Array.from({ length: 30 }, () => f(300)), stratus: Array.from({ length: 30 }, () => f(300)) },
    occurrences: 5, lastEventTime: f(300),
  };
}
