import { PairHistory, type DayPairs } from "./history";
import type { PairCount } from "./pair";
import type { PairScore, Scorer } from "./scorer";
import { negativeBinomialTail } from "./tail-probability";

/**
 * The reasons behind a built-in score, carried in the alert's context so a person can check them.
 * See the README ("The built-in scorer") for the formula.
 */
// A type alias (not an interface) so it is assignable to Record<string, unknown>.
export type BuiltinComponents = {
  /** Days of the window that had data (the scorer's evidence). */
  historyDays: number;
  /** Set when there were fewer than `minHistoryDays` days of data: the pair is not judged (score 0). */
  insufficientHistory?: true;
  /** The principal made no call at all in the window. */
  newPrincipal: boolean;
  /** Days of the window on which the principal called this API / was active at all. */
  pairDays: number;
  principalDays: number;
  /** The principal's distinct APIs in the window, and how many of them it called on one day only. */
  principalApis: number;
  oneDayApis: number;
  /** How settled the principal's repertoire is, 0 (new or always trying new APIs) to 1 (the same APIs every day). */
  routine: number;
  /** Principals in the window that called this API, and all principals active in the window. */
  callers: number;
  principals: number;
  /** How rare the API is in the account, 0 (everyone calls it) to 1 (no one did). */
  accountRarity: number;
  /** Newness of the pair, weighted by the principal's routine and the API's rarity; 0 to 1. */
  novelty: number;
  /** Mean daily count of the pair in the window; null when the principal never called it. */
  expectedCount: number | null;
  /** Chance of at least today's count given the principal's history of this pair; null when never called. */
  tailProbability: number | null;
  /** Surprise of today's count, -log10(tailProbability) / 6 capped at 1; 0 when never called. */
  volume: number;
};

/** Tuning of the built-in scorer; the defaults are what the README documents. */
export interface BuiltinScorerOptions {
  /** Fewer days of data than this and no pair is judged (score 0): everything looks new on day one. Default 3. */
  minHistoryDays?: number;
  /** Weight of a break in the principal's routine (a first call by a principal that always calls the same APIs). Default 0.7. */
  routineWeight?: number;
  /** Weight of the API's rarity in the account. Default 0.8. */
  rarityWeight?: number;
  /** -log10 of the tail probability at which the volume component reaches 1. Default 6 (one in a million). */
  volumeSaturation?: number;
  /** Upper bound on the negative binomial's size r: day-to-day variation of at least 1/sqrt(r) = 25 %. Default 16. */
  maxDispersion?: number;
}

/** Default minimum days of data before the built-in scorer judges anything. */
export const DEFAULT_MIN_HISTORY_DAYS = 3;

/** Four significant digits, for people reading the components (toPrecision is about 10x slower). */
function round(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = Math.floor(Math.log10(Math.abs(x)));
  // Dividing an integer by an exact power of ten gives the double nearest the 4-digit decimal.
  if (e < -18 || e > 18) return Number(x.toPrecision(4));
  return e <= 3 ? Math.round(x * 10 ** (3 - e)) / 10 ** (3 - e) : Math.round(x / 10 ** (e - 3)) * 10 ** (e - 3);
}

/**
 * Scores how unusual each (principal, API) pair of a day is for that principal and that account,
 * from the preceding days. Two pieces of evidence, combined so that either can raise the score:
 *
 * - novelty = 0.5^pairDays × (1 − (1 − 0.7 × routine) × (1 − 0.8 × accountRarity)): a call the
 *   principal never made counts fully, one made on 1 day of the window half, 2 days a quarter.
 *   routine = 1 − (oneDayApis + 1) / (apiDays + 2) (Good-Turing: how often the principal's recent
 *   days brought an API it had not used; 0 for a new principal); accountRarity =
 *   1 − ln(1 + callers) / ln(1 + principals) (1 when no one in the account called the API).
 * - volume = min(1, −log10 P(X ≥ count) / 6) with X negative binomial, fitted to the pair's daily
 *   counts in the window (mean and variance, at least 25 % day-to-day variation).
 *
 * score = 1 − (1 − novelty) × (1 − volume), in [0, 1].
 */
export class BuiltinScorer implements Scorer {
  readonly name = "builtin";
  private readonly history: PairHistory;
  private readonly opts: Required<BuiltinScorerOptions>;

  constructor(history: readonly DayPairs[] | PairHistory, opts: BuiltinScorerOptions = {}) {
    this.history = history instanceof PairHistory ? history : new PairHistory(history);
    this.opts = {
      minHistoryDays: opts.minHistoryDays ?? DEFAULT_MIN_HISTORY_DAYS,
      routineWeight: opts.routineWeight ?? 0.7,
      rarityWeight: opts.rarityWeight ?? 0.8,
      volumeSaturation: opts.volumeSaturation ?? 6,
      maxDispersion: opts.maxDispersion ?? 16,
    };
  }

  async score(pairs: readonly PairCount[]): Promise<PairScore[]> {
    return pairs.map((p) => this.scoreOne(p));
  }

  /** Scores one pair synchronously (the benchmark and the CLI use this directly). */
  scoreOne(p: PairCount): { score: number; components: BuiltinComponents } {
    const h = this.history;
    const historyDays = h.size;
    const principalDays = h.activeDaysOf(p.principal);
    const counts = h.countsOf(p);
    let pairDays = 0;
    let sum = 0;
    let sumSq = 0;
    if (counts) {
      for (let i = 0; i < counts.length; i++) {
        const c = counts[i]!;
        if (c > 0) pairDays++;
        sum += c;
        sumSq += c * c;
      }
    }
    const rep = h.repertoireOf(p.principal);
    const routine = principalDays === 0 ? 0 : 1 - (rep.oneDayApis + 1) / (rep.apiDays + 2);
    const callers = h.callersOf(p);
    const principals = h.principals;
    const accountRarity = callers === 0 ? 1 : principals <= 1 ? 0 : Math.max(0, 1 - Math.log1p(callers) / Math.log1p(principals));
    if (historyDays < this.opts.minHistoryDays) {
      return {
        score: 0,
        components: {
          historyDays, insufficientHistory: true, newPrincipal: principalDays === 0, pairDays, principalDays,
          principalApis: rep.apis, oneDayApis: rep.oneDayApis, routine: round(routine), callers, principals,
          accountRarity: round(accountRarity), novelty: 0, expectedCount: null, tailProbability: null, volume: 0,
        },
      };
    }
    const newness = 0.5 ** pairDays;
    const novelty = newness * (1 - (1 - this.opts.routineWeight * routine) * (1 - this.opts.rarityWeight * accountRarity));

    let volume = 0;
    let expectedCount: number | null = null;
    let tailProbability: number | null = null;
    if (pairDays > 0) {
      const n = historyDays;
      const mean = sum / n;
      const variance = n > 1 ? (sumSq - n * mean * mean) / (n - 1) : mean;
      // Method of moments: r = mean²/(variance − mean); a Poisson-like history is capped at maxDispersion.
      const excess = variance - mean;
      const r = excess > 0 ? Math.min(this.opts.maxDispersion, (mean * mean) / excess) : this.opts.maxDispersion;
      const tail = negativeBinomialTail(p.count, mean, r);
      expectedCount = round(mean);
      tailProbability = round(tail);
      volume = Math.min(1, -Math.log10(Math.max(tail, 1e-300)) / this.opts.volumeSaturation);
    }
    const score = 1 - (1 - novelty) * (1 - volume);
    return {
      score: round(Math.min(1, Math.max(0, score))),
      components: {
        historyDays, newPrincipal: principalDays === 0, pairDays, principalDays,
        principalApis: rep.apis, oneDayApis: rep.oneDayApis, routine: round(routine), callers, principals,
        accountRarity: round(accountRarity), novelty: round(novelty), expectedCount, tailProbability, volume: round(volume),
      },
    };
  }
}

function fmt(n: number): string {
  return n >= 100 ? Math.round(n).toLocaleString("en-US") : String(Number(n.toPrecision(2)));
}

/** The reasons of a built-in score in plain words, e.g. for an alert's summary. */
export function explainBuiltinScore(c: BuiltinComponents, count: number): string {
  if (c.insufficientHistory) return `not judged: only ${c.historyDays} day(s) of history`;
  const parts: string[] = [];
  if (c.newPrincipal) parts.push(`principal not seen in the ${c.historyDays} preceding days`);
  else if (c.pairDays === 0) {
    const habit = c.routine >= 0.8 ? ", which keeps to a routine" : "";
    parts.push(`first call of this API by the principal in ${c.historyDays} days (active on ${c.principalDays}, ${c.principalApis} APIs${c.oneDayApis ? `, ${c.oneDayApis} of them on one day only` : ""})${habit}`);
  } else parts.push(`called on ${c.pairDays} of ${c.historyDays} days`);
  if (c.callers === 0) parts.push("no principal in the account called it before");
  else if (c.pairDays === 0) parts.push(`${c.callers} of ${c.principals} principals in the account called it`);
  if (c.expectedCount !== null && c.tailProbability !== null && c.volume > 0.05) {
    const p = c.tailProbability < 1e-6 ? "< 1e-6" : `≈ ${c.tailProbability.toExponential(0)}`;
    parts.push(`${fmt(count)} calls vs. about ${fmt(c.expectedCount)} a day (chance ${p})`);
  }
  return parts.join("; ");
}
