/**
 * A small seeded PRNG (sfc32, seeded through a 128-bit string hash), so the same seed always gives
 * the same organization, byte for byte. `Math.random` and the clock are never used by the generator.
 */

/** 128-bit hash of a string (cyrb128), as four 32-bit words; used to seed and to derive stable ids. */
export function hash128(s: string): [number, number, number, number] {
  let h1 = 1779033703, h2 = 3144134277, h3 = 1013904242, h4 = 2773480762;
  for (let i = 0; i < s.length; i++) {
    const k = s.charCodeAt(i);
    h1 = h2 ^ Math.imul(h1 ^ k, 597399067);
    h2 = h3 ^ Math.imul(h2 ^ k, 2869860233);
    h3 = h4 ^ Math.imul(h3 ^ k, 951274213);
    h4 = h1 ^ Math.imul(h4 ^ k, 2716044179);
  }
  h1 = Math.imul(h3 ^ (h1 >>> 18), 597399067);
  h2 = Math.imul(h4 ^ (h2 >>> 22), 2869860233);
  h3 = Math.imul(h1 ^ (h3 >>> 17), 951274213);
  h4 = Math.imul(h2 ^ (h4 >>> 19), 2716044179);
  h1 ^= h2 ^ h3 ^ h4;
  h2 ^= h1;
  h3 ^= h1;
  h4 ^= h1;
  return [h1 >>> 0, h2 >>> 0, h3 >>> 0, h4 >>> 0];
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"; // IAM unique ids and access keys use this alphabet
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const LOWER_ALNUM = "abcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";
const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/** Seeded random numbers plus the id formats CloudTrail uses. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from any number of parts, e.g. `new Rng(seed, account, region, day)`. */
  constructor(...parts: (string | number)[]) {
    [this.a, this.b, this.c, this.d] = hash128(parts.join("\u0001"));
    for (let i = 0; i < 12; i++) this.u32(); // warm up: sfc32's first outputs are correlated with the seed
  }

  /** Uniform 32-bit unsigned integer. */
  u32(): number {
    this.a >>>= 0; this.b >>>= 0; this.c >>>= 0; this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight; `weights` need not sum to 1. */
  weighted<T>(items: readonly T[], weights: readonly number[]): T {
    let total = 0;
    for (const w of weights) total += w;
    let x = this.next() * total;
    for (let i = 0; i < items.length; i++) {
      x -= weights[i]!;
      if (x < 0) return items[i]!;
    }
    return items[items.length - 1]!;
  }

  /** Poisson-distributed count with mean `mean` (normal approximation above 60, which is plenty here). */
  poisson(mean: number): number {
    if (mean <= 0) return 0;
    if (mean > 60) {
      const u = 1 - this.next();
      const v = this.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
      return Math.max(0, Math.round(mean + Math.sqrt(mean) * z));
    }
    const limit = Math.exp(-mean);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  private chars(alphabet: string, n: number): string {
    let s = "";
    for (let i = 0; i < n; i++) s += alphabet[this.int(alphabet.length)];
    return s;
  }

  /** Upper-case letters and digits 2-7, as in IAM unique ids (AROA..., AIDA...) and access key ids. */
  upper(n: number): string {
    return this.chars(UPPER_ALNUM, n);
  }
  /** Mixed-case letters and digits, as in the 16-character suffix of CloudTrail log file names. */
  alnum(n: number): string {
    return this.chars(ALNUM, n);
  }
  lower(n: number): string {
    return this.chars(LOWER_ALNUM, n);
  }
  hex(n: number): string {
    return this.chars(HEX, n);
  }
  base64(n: number): string {
    return this.chars(B64, n);
  }

  /** A random (version 4 shaped) UUID, as CloudTrail's eventID and most requestIDs. */
  uuid(): string {
    const a = this.u32(), b = this.u32(), c = this.u32(), d = this.u32();
    const h = (x: number) => x.toString(16).padStart(8, "0");
    const hb = h(b), hc = h(c);
    return `${h(a)}-${hb.slice(0, 4)}-4${hb.slice(5, 8)}-${"89ab"[c & 3]}${hc.slice(1, 4)}-${hc.slice(4, 8)}${h(d)}`;
  }
}

/** A stable pseudo-random string derived from its parts (no shared state): the same parts, the same id. */
export function stableUpper(n: number, ...parts: (string | number)[]): string {
  return new Rng("stable", ...parts).upper(n);
}
export function stableHex(n: number, ...parts: (string | number)[]): string {
  return new Rng("stable", ...parts).hex(n);
}
export function stableDigits(n: number, ...parts: (string | number)[]): string {
  const r = new Rng("stable", ...parts);
  let s = String(r.range(1, 9));
  while (s.length < n) s += String(r.int(10));
  return s;
}
