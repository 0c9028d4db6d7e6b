import type { Day } from "./day";
import { apiKey, pairKey, type PairCount } from "./pair";

/** The pairs of one day, as read from that day's log files. */
export interface DayPairs {
  day: Day;
  pairs: readonly PairCount[];
}

/** A principal's repertoire of APIs over the window. */
export interface Repertoire {
  /** Distinct APIs called. */
  apis: number;
  /** Sum over its APIs of the days each was called. */
  apiDays: number;
  /** APIs called on one day only (the Good-Turing count of "recently new"). */
  oneDayApis: number;
}

/**
 * What the preceding days say about an account, indexed for scoring: per pair its daily counts, per
 * principal the days it was active, per API the principals that called it. A day with no pairs at
 * all (no log files, or only AWS service calls) counts as a day without data and is left out, so
 * a gap in delivery does not look like a quiet day.
 */
export class PairHistory {
  /** Days that had data, oldest first. */
  readonly days: Day[];
  private readonly pairCounts = new Map<string, Float64Array>();
  private readonly principalDays = new Map<string, number>();
  private readonly apiPrincipals = new Map<string, Set<string>>();
  private readonly repertoires = new Map<string, Repertoire>();

  constructor(history: readonly DayPairs[]) {
    const withData = [...history].filter((d) => d.pairs.length > 0).sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
    this.days = withData.map((d) => d.day);
    const n = withData.length;
    withData.forEach((d, i) => {
      const active = new Set<string>();
      for (const p of d.pairs) {
        const key = pairKey(p);
        let counts = this.pairCounts.get(key);
        if (!counts) this.pairCounts.set(key, (counts = new Float64Array(n)));
        counts[i]! += p.count;
        active.add(p.principal);
        const api = apiKey(p);
        let callers = this.apiPrincipals.get(api);
        if (!callers) this.apiPrincipals.set(api, (callers = new Set()));
        callers.add(p.principal);
      }
      for (const principal of active) this.principalDays.set(principal, (this.principalDays.get(principal) ?? 0) + 1);
    });
    for (const [key, counts] of this.pairCounts) {
      const principal = key.slice(0, key.indexOf("\u0000"));
      let days = 0;
      for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) days++;
      const r = this.repertoires.get(principal) ?? { apis: 0, apiDays: 0, oneDayApis: 0 };
      r.apis++;
      r.apiDays += days;
      if (days === 1) r.oneDayApis++;
      this.repertoires.set(principal, r);
    }
  }

  /** The principal's APIs in the window: how many, on how many (API, day) pairs, and how many on one day only. */
  repertoireOf(principal: string): Repertoire {
    return this.repertoires.get(principal) ?? { apis: 0, apiDays: 0, oneDayApis: 0 };
  }

  /** Number of days with data. */
  get size(): number {
    return this.days.length;
  }

  /** Distinct principals active on any day. */
  get principals(): number {
    return this.principalDays.size;
  }

  /** The pair's count on each day with data (zeros included), or undefined if never seen. */
  countsOf(p: { principal: string; eventSource: string; eventName: string }): Float64Array | undefined {
    return this.pairCounts.get(pairKey(p));
  }

  /** Days on which the principal made any (non-service) call. */
  activeDaysOf(principal: string): number {
    return this.principalDays.get(principal) ?? 0;
  }

  /** Distinct principals that called the API on any day. */
  callersOf(p: { eventSource: string; eventName: string }): number {
    return this.apiPrincipals.get(apiKey(p))?.size ?? 0;
  }
}
