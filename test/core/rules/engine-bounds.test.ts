import { createHash } from "node:crypto";
import { boundedKey } from "../../../functions/core/rules/engine";

const expected = (v: string) => `${v.slice(0, 64)}...#${createHash("sha256").update(v).digest("hex").slice(0, 16)}`;

describe("boundedKey", () => {
  it("keeps short keys as they are", () => {
    expect(boundedKey("arn:aws:iam::111122223333:user/alice")).toBe("arn:aws:iam::111122223333:user/alice");
    expect(boundedKey("x".repeat(96))).toBe("x".repeat(96));
  });

  it("cuts long keys and names them by a hash of the whole, the same on every call", () => {
    const session = `arn:aws:sts::111122223333:assumed-role/${"Deploy".repeat(10)}/session session ${"s".repeat(40)}`;
    const first = boundedKey(session);
    expect(first).toBe(expected(session));
    expect(first.length).toBeLessThanOrEqual(96);
    // Remembered keys give exactly what a fresh computation gives.
    expect(boundedKey(session)).toBe(first);
    expect(boundedKey(`${session}x`)).toBe(expected(`${session}x`));
    expect(boundedKey(`${session}x`)).not.toBe(first);
  });

  it("cuts keys too long to remember the same way", () => {
    const huge = "a".repeat(100_000) + "b";
    expect(boundedKey(huge)).toBe(expected(huge));
    expect(boundedKey(huge)).toBe(expected(huge));
    expect(boundedKey("a".repeat(100_001))).not.toBe(boundedKey(huge));
  });
});
