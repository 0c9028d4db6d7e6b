import type { DayPairs, PairCount } from "../../../functions/core/scoring";
import { precedingDays } from "../../../functions/core/scoring";

/** Deterministic random numbers (mulberry32), so the test data is the same on every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function poisson(rand: () => number, lambda: number): number {
  if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal(rand)));
  const l = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= rand();
  } while (p > l);
  return k - 1;
}

function normal(rand: () => number): number {
  return Math.sqrt(-2 * Math.log(rand() || 1e-12)) * Math.cos(2 * Math.PI * rand());
}

/** One principal's habit: an API, its usual daily count, and how often it is used at all. */
interface Habit { principal: string; eventSource: string; eventName: string; rate: number; daily: number }

/**
 * An account whose principals have stable habits with realistic day-to-day variation (30 %, and some
 * APIs only on some days), for checking that the built-in scorer is quiet on ordinary days.
 */
export function syntheticAccount(seed: number, principals = 25, apisPerPrincipal = 12) {
  const rand = rng(seed);
  const apis = Array.from({ length: 80 }, (_, i) => ({ eventSource: `svc${i % 9}.amazonaws.com`, eventName: `Api${i}` }));
  const habits: Habit[] = [];
  for (let u = 0; u < principals; u++) {
    const principal = `arn:aws:iam::111122223333:role/workload-${u}`;
    const chosen = new Set<number>();
    // Popular APIs (low indexes) are shared by many principals, as Describe*/List*/Get* are.
    while (chosen.size < apisPerPrincipal) chosen.add(Math.floor(Math.pow(rand(), 2) * apis.length));
    for (const i of chosen) {
      habits.push({ ...apis[i]!, principal, rate: Math.exp(rand() * Math.log(500)), daily: rand() < 0.7 ? 1 : 0.5 });
    }
  }
  const dayOf = (day: string): DayPairs => {
    const pairs: PairCount[] = [];
    for (const h of habits) {
      if (rand() > h.daily) continue;
      const rate = h.rate * Math.exp(0.3 * normal(rand) - 0.045);
      const count = poisson(rand, rate);
      if (count > 0) pairs.push({ principal: h.principal, principalType: "AssumedRole", eventSource: h.eventSource, eventName: h.eventName, count, firstSeen: `${day.replace(/\//g, "-")}T00:00:00Z`, lastSeen: `${day.replace(/\//g, "-")}T23:00:00Z`, firstEventId: "" });
    }
    return { day, pairs };
  };
  return {
    habits,
    history: (day: string, n: number) => precedingDays(day, n).map(dayOf),
    day: dayOf,
  };
}
