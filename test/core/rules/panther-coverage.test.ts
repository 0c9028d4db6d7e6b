import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ALERT_KINDS } from "../../../functions/core/rules/alert-kinds";
import { catalog } from "../../../functions/core/rules/catalog";
import { sigmaRules, stratusTechniques } from "./coverage";
import { alertsOn, coveringRules, pantherCases } from "./panther";

/**
 * The Panther coverage figure, computed from the whole corpus: of Panther's CloudTrail rules
 * that have CloudTrail-shaped positive test events, how many have every such positive alerted by a
 * trailwatch rule naming the Panther rule in `references.panther`. The floor is the figure the catalog
 * reached; raise it when rules are added (never lower it).
 */
const FLOOR = { rulesCovered: 111, positivesAlerted: 175 };

const README = join(__dirname, "../../../functions/core/rules/README.md");

/** The rows of the table under a `### heading` of the rules README: first cell, second cell, rest. */
function tableRows(heading: string): { first: string; cells: string[] }[] {
  const text = readFileSync(README, "utf8");
  const start = text.indexOf(`\n### ${heading}\n`);
  if (start < 0) throw new Error(`functions/core/rules/README.md has no "### ${heading}" section`);
  const next = text.indexOf("\n#", start + heading.length + 6);
  const section = text.slice(start, next < 0 ? undefined : next);
  return section
    .split("\n")
    .filter((l) => l.startsWith("| `"))
    .map((l) => l.split("|").slice(1, -1).map((c) => c.trim()))
    .map((cells) => ({ first: cells[0]!.replace(/`/g, ""), cells }));
}

/** Ids in backticks in a "covered by" cell. */
function idsIn(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
}

const knownAlerts = new Set([...catalog.map((r) => r.id), ...ALERT_KINDS.map((k) => k.id)]);
const byId = new Map(catalog.map((r) => [r.id, r]));

describe("coverage of Panther's CloudTrail rules", () => {
  const covering = coveringRules();
  let perRule: Map<string, { positives: number; alerted: number }>;

  beforeAll(async () => {
    perRule = new Map();
    for (const c of pantherCases()) {
      const e = perRule.get(c.rule_id) ?? { positives: 0, alerted: 0 };
      perRule.set(c.rule_id, e);
      if (!c.expected || c.event_shape !== "cloudtrail_record") continue;
      e.positives++;
      const ids = covering.get(c.rule_id) ?? [];
      if (ids.length && (await alertsOn(c.event, ids)).alerts.some((a) => ids.includes(a.rule))) e.alerted++;
    }
  });

  const covered = () => new Set([...perRule].filter(([, e]) => e.positives > 0 && e.alerted === e.positives).map(([id]) => id));

  it("reaches at least the recorded figure (rules fully covered, positives alerted)", () => {
    // Act
    const measured = [...perRule.values()].filter((e) => e.positives > 0);
    const figure = {
      rules: measured.length,
      rulesCovered: covered().size,
      positives: measured.reduce((n, e) => n + e.positives, 0),
      positivesAlerted: measured.reduce((n, e) => n + e.alerted, 0),
    };
    // The figure, for people (and for the closing note).
    console.log(`Panther figure: ${figure.rulesCovered} of ${figure.rules} CloudTrail rules fully covered, ${figure.positivesAlerted} of ${figure.positives} positive test events alerted`);
    // Assess
    expect(figure.rules).toBe(137);
    expect(figure.positives).toBe(213);
    expect(figure.rulesCovered).toBeGreaterThanOrEqual(FLOOR.rulesCovered);
    expect(figure.positivesAlerted).toBeGreaterThanOrEqual(FLOOR.positivesAlerted);
  });

  it("lists every Panther rule that is not covered in the README's table, with a reason, and no covered one", () => {
    const listed = new Map(tableRows("Panther CloudTrail rules not covered").map((r) => [r.first, r.cells[1] ?? ""]));
    const all = [...perRule.keys()];
    const cov = covered();
    expect({ missingFromTable: all.filter((id) => !cov.has(id) && !listed.has(id)).sort() }).toEqual({ missingFromTable: [] });
    expect({ coveredButListed: [...listed.keys()].filter((id) => cov.has(id)).sort() }).toEqual({ coveredButListed: [] });
    expect({ notInCorpus: [...listed.keys()].filter((id) => !perRule.has(id)).sort() }).toEqual({ notInCorpus: [] });
    expect({ withoutReason: [...listed].filter(([, why]) => why.length < 15).map(([id]) => id) }).toEqual({ withoutReason: [] });
  });
});

describe("coverage tables of Sigma's AWS CloudTrail rules and Stratus Red Team's techniques", () => {
  it("lists every Sigma rule once, naming only known alerts, each backed by the rule's references.sigma", () => {
    const rows = tableRows("Sigma AWS CloudTrail rules");
    const sigma = sigmaRules();
    const files = new Set(sigma.map((s) => s.file));
    const titleOf = new Map(sigma.map((s) => [s.file, s.title]));
    expect({ missing: sigma.map((s) => s.file).filter((f) => !rows.some((r) => r.first === f)) }).toEqual({ missing: [] });
    expect({ unknown: rows.map((r) => r.first).filter((f) => !files.has(f)) }).toEqual({ unknown: [] });
    expect(new Set(rows.map((r) => r.first)).size).toBe(rows.length);
    const problems: string[] = [];
    for (const r of rows) {
      for (const id of idsIn(r.cells[1] ?? "")) {
        if (!knownAlerts.has(id)) problems.push(`${r.first}: "${id}" is not a rule or alert`);
        const rule = byId.get(id);
        if (rule && !(rule.references.sigma ?? []).includes(titleOf.get(r.first)!)) problems.push(`${r.first}: ${id} does not list "${titleOf.get(r.first)}" in references.sigma`);
      }
      if (idsIn(r.cells[1] ?? "").length === 0 && (r.cells[2] ?? "").length < 10) problems.push(`${r.first}: not covered and no note why`);
    }
    expect(problems).toEqual([]);
  });

  it("lists every Stratus technique once, naming only known alerts, each backed by the rule's references.stratus", () => {
    const rows = tableRows("Stratus Red Team techniques");
    const techniques = stratusTechniques().map((t) => t.id);
    expect({ missing: techniques.filter((t) => !rows.some((r) => r.first === t)) }).toEqual({ missing: [] });
    expect({ unknown: rows.map((r) => r.first).filter((t) => !techniques.includes(t)) }).toEqual({ unknown: [] });
    expect(new Set(rows.map((r) => r.first)).size).toBe(rows.length);
    const problems: string[] = [];
    for (const r of rows) {
      for (const id of idsIn(r.cells[1] ?? "")) {
        if (!knownAlerts.has(id)) problems.push(`${r.first}: "${id}" is not a rule or alert`);
        const rule = byId.get(id);
        if (rule && !(rule.references.stratus ?? []).includes(r.first)) problems.push(`${r.first}: ${id} does not list it in references.stratus`);
      }
      if (idsIn(r.cells[1] ?? "").length === 0 && (r.cells[2] ?? "").length < 10) problems.push(`${r.first}: not covered and no note why`);
    }
    expect(problems).toEqual([]);
  });
});
