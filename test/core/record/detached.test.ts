import { detached } from "../../../functions/core/record/detached";

describe("detached", () => {
  it("gives the same text, whatever it holds", () => {
    for (const s of ["", "ec2.amazonaws.com", "ünïcödé → ☃", "lone \ud800 surrogate", "\u0000control\u001f", "x".repeat(100_000)]) expect(detached(s)).toBe(s);
  });
});
