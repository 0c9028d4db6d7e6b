import { logGamma, negativeBinomialTail, regularizedBeta } from "../../../functions/core/scoring";

/** P(X >= c) by summing the probability mass function: slow but obviously right. */
function tailBySum(c: number, mean: number, r: number): number {
  const p = r / (r + mean);
  let below = 0;
  for (let k = 0; k < c; k++) below += Math.exp(logGamma(k + r) - logGamma(r) - logGamma(k + 1) + r * Math.log(p) + k * Math.log1p(-p));
  return 1 - below;
}

describe("negative binomial tail probabilities", () => {
  it("match the summed probability mass function", () => {
    for (const [c, mean, r] of [[1, 0.5, 2], [5, 3, 1.5], [10, 3, 16], [50, 10, 5], [3, 0.07, 0.1], [20, 25, 3]] as const) {
      expect(negativeBinomialTail(c, mean, r)).toBeCloseTo(tailBySum(c, mean, r), 10);
    }
  });

  it("approach the Poisson tail for a large size", () => {
    // Poisson(2): P(X >= 3) = 1 - e^-2 (1 + 2 + 2) = 0.3233235838...
    expect(negativeBinomialTail(3, 2, 1e7)).toBeCloseTo(0.3233235838, 5);
  });

  it("stay finite and ordered for huge counts", () => {
    const far = negativeBinomialTail(5400, 120, 16);
    const near = negativeBinomialTail(150, 120, 16);
    expect(far).toBeGreaterThanOrEqual(0);
    expect(far).toBeLessThan(1e-12);
    expect(near).toBeGreaterThan(0.1);
    expect(negativeBinomialTail(1_000_000, 900_000, 16)).toBeGreaterThan(0.1);
  });

  it("are 1 for nothing and 0 for an impossible count", () => {
    expect(negativeBinomialTail(0, 3, 2)).toBe(1);
    expect(negativeBinomialTail(1, 0, 2)).toBe(0);
    expect(regularizedBeta(0.3, 1, 1)).toBeCloseTo(0.3, 12);
  });
});
