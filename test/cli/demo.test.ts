import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { catalog } from "../../functions/core/rules/catalog";
import type { Manifest } from "../../scripts/generator";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");

function trailwatch(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("trailwatch demo", () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), "tw-demo-"));
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it("generates the demo organization when absent, scans it and reports every covered attack as detected", () => {
    // Prepare
    const dir = join(base, "demo");
    // Act
    const { code, stdout, stderr } = trailwatch(["demo", "--dir", dir, "--days", "2"]);
    // Assess
    expect(stderr).toMatch(/generated [\d,]+ log files/);
    expect(code).toBe(0);
    const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as Manifest;
    expect(m.lastDay).toBe("2026-11-20");
    expect(stdout).toContain("What you are looking at");
    const ids = new Set(catalog.map((r) => r.id));
    for (const a of m.attacks) {
      const row = stdout.split("\n").find((l) => l.includes(` ${a.id} `));
      expect(row).toBeDefined();
      expect(row).toContain(ids.has(a.rule) ? "detected" : "no such rule yet");
    }
    expect(stdout).not.toContain("MISSED");
    expect(stdout).toMatch(/Anomaly detection: skipped, the demo holds 2 day\(s\)/);
  });

  it("reuses logs that are already there instead of generating them again", () => {
    const dir = join(base, "demo");
    const { code, stderr } = trailwatch(["demo", "--dir", dir, "--days", "2"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/using the demo organization/);
    expect(stderr).not.toMatch(/generated/);
  });

  it("fails with a clear message on a bad --days", () => {
    const { code, stderr } = trailwatch(["demo", "--dir", join(base, "x"), "--days", "zero"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/--days must be a positive integer/);
  });
});
