import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as z from "zod";
import { listRules } from "../../functions/cli/commands/rules";
import { useColor } from "../../functions/cli/terminal";
import { ALERT_KINDS } from "../../functions/core/rules/alert-kinds";
import { catalog } from "../../functions/core/rules/catalog";
import type { ListedAlert } from "../../functions/core/rules/listing";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");

function trailwatch(args: string[], env: Record<string, string> = { NO_COLOR: "1" }) {
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs `listRules` in this process with stdout looking like a terminal, capturing what it writes. */
function onTerminal(format: "table" | "markdown", noColor: string | undefined): string {
  const chunks: string[] = [];
  const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
  const saved = process.env.NO_COLOR;
  const savedTerm = process.env.TERM;
  process.env.TERM = "xterm"; // colour is never used on a dumb terminal
  Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
  if (noColor === undefined) delete process.env.NO_COLOR;
  else process.env.NO_COLOR = noColor;
  const spy = jest.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  try {
    listRules(format);
  } finally {
    spy.mockRestore();
    if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
    if (saved === undefined) delete process.env.NO_COLOR;
    else process.env.NO_COLOR = saved;
    if (savedTerm === undefined) delete process.env.TERM;
    else process.env.TERM = savedTerm;
  }
  return chunks.join("");
}

const ANSI = /\x1b\[/;

describe("trailwatch rules", () => {
  it("lists every alert a deployment can raise as JSON: the catalog, threshold rules, anomaly, scoring, heartbeat and trail guard", () => {
    // Act
    const { code, stdout } = trailwatch(["rules", "--format", "json"]);
    // Assess
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as ListedAlert[];
    const ids = list.map((a) => a.id);
    expect(ids.sort()).toEqual([...catalog.map((r) => r.id), ...ALERT_KINDS.map((k) => k.id)].sort());
    expect(new Set(list.map((a) => a.kind))).toEqual(new Set(["rule", "threshold rule", "org anomaly", "scoring", "trail heartbeat", "trail guard"]));
    for (const id of ["anomaly.new-behavior", "score.unusual-activity", "cloudtrail.not-logging", "cloudtrail.trail-tampering", "secretsmanager.secrets-read-burst"]) expect(ids).toContain(id);
    const burst = list.find((a) => a.id === "secretsmanager.secrets-read-burst")!;
    expect(burst).toMatchObject({ kind: "threshold rule", threshold: "10 distinct values within 10 min, then quiet for 60 min", references: { mitre: ["T1555.006", "T1552"] } });
    expect(burst.runbook?.triage.length).toBeGreaterThan(0);
  });

  it("prints a table without colour when stdout is not a terminal, and says how many alerts of each kind", () => {
    const { code, stdout } = trailwatch(["rules"], {});
    expect(code).toBe(0);
    expect(stdout).not.toMatch(ANSI);
    expect(stdout).toMatch(new RegExp(`${catalog.length + ALERT_KINDS.length} alerts: \\d+ rules, \\d+ threshold rules, ${ALERT_KINDS.length} raised by other capabilities`));
  });

  it("colours severities on a terminal, never with NO_COLOR", () => {
    expect(onTerminal("table", undefined)).toMatch(ANSI);
    expect(onTerminal("table", "1")).not.toMatch(ANSI);
    expect(onTerminal("markdown", undefined)).not.toMatch(ANSI);
    expect(useColor({ isTTY: true }, {})).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(useColor({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });

  it("writes markdown with every alert's false positives and runbook", () => {
    const { code, stdout } = trailwatch(["rules", "--format", "markdown"]);
    expect(code).toBe(0);
    expect(stdout).toContain("## aws.access-denied-burst");
    expect(stdout).toContain("## anomaly.new-behavior");
    expect(stdout.match(/^Runbook, check first:$/gm)?.length).toBe(catalog.length + ALERT_KINDS.length);
  });

  it("names the Sigma rule and author of every ported rule, and the event types a rule is limited to", () => {
    // Prepare
    const ported = catalog.filter((r) => (r.references.derivedFrom ?? []).length > 0);
    // Act
    const { stdout } = trailwatch(["rules", "--format", "markdown"]);
    // Assess
    expect(ported.length).toBeGreaterThan(0);
    for (const r of ported) {
      const section = stdout.slice(stdout.indexOf(`## ${r.id}\n`), stdout.indexOf("\n## ", stdout.indexOf(`## ${r.id}\n`) + 1));
      for (const o of r.references.derivedFrom!) expect(section).toContain(`"${o.sigma}" by ${o.author}`);
      expect(section).toContain("(Detection Rule License 1.1)");
    }
    expect(stdout).toContain("- Watches: every event source (AwsVpceEvent events)");
  });

  it("rejects an unknown format with the choices", () => {
    const { code, stderr } = trailwatch(["rules", "--format", "yaml"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/Allowed choices are table, json, markdown/);
  });
});

/** The parts of ATT&CK Navigator's layer format 4.5 a layer must get right to open. */
const layerSchema = z.object({
  name: z.string().min(1),
  versions: z.object({ attack: z.string(), navigator: z.string().regex(/^\d+\.\d+\.\d+$/), layer: z.literal("4.5") }),
  domain: z.literal("enterprise-attack"),
  techniques: z.array(z.object({
    techniqueID: z.string().regex(/^T\d{4}(\.\d{3})?$/),
    score: z.number().int().positive().optional(),
    comment: z.string().optional(),
    enabled: z.boolean(),
    showSubtechniques: z.boolean().optional(),
  })).min(1),
  gradient: z.object({ colors: z.array(z.string().regex(/^#[0-9a-f]{6}$/)).min(2), minValue: z.number(), maxValue: z.number() }).refine((g) => g.maxValue > g.minValue, "maxValue must be > minValue"),
  filters: z.object({ platforms: z.array(z.string()) }),
  layout: z.object({ layout: z.enum(["side", "flat", "mini"]), expandedSubtechniques: z.enum(["none", "all", "annotated"]) }).passthrough(),
}).passthrough();

describe("trailwatch coverage", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-coverage-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("writes an ATT&CK Navigator layer: each technique scored by the number of alerts naming it, with their ids in the comment", () => {
    // Act
    const file = join(dir, "layer.json");
    const { code, stderr } = trailwatch(["coverage", "--format", "navigator", "--output", file]);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toMatch(/wrote the ATT&CK Navigator layer/);
    const layer = layerSchema.parse(JSON.parse(readFileSync(file, "utf8")));
    const t1562008 = layer.techniques.find((t) => t.techniqueID === "T1562.008")!;
    const naming = [...catalog.filter((r) => r.references.mitre?.includes("T1562.008")).map((r) => r.id), ...ALERT_KINDS.filter((k) => k.references.mitre?.includes("T1562.008")).map((k) => k.id)];
    expect(t1562008.score).toBe(naming.length);
    for (const id of naming) expect(t1562008.comment).toContain(id);
    // Parents of covered sub-techniques open expanded.
    expect(layer.techniques.find((t) => t.techniqueID === "T1562")).toMatchObject({ showSubtechniques: true });
    expect(layer.gradient.maxValue).toBeGreaterThanOrEqual(t1562008.score!);
  });

  it("prints the coverage as a table by default", () => {
    const { code, stdout } = trailwatch(["coverage"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/T1562\.008 .*Impair Defenses: Disable or Modify Cloud Logs /);
    expect(stdout).toMatch(/\d+ ATT&CK techniques covered by \d+ alerts/);
  });
});
