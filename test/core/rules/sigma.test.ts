import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadRulesFolder } from "../../../functions/adapters/local/rules-folder";
import { RuleEngine, toAlert } from "../../../functions/core/rules/engine";
import { testRuleExamples } from "../../../functions/core/rules/rule-tests";
import { compileSigma, sigmaRuleId } from "../../../functions/core/rules/sigma/compile";
import { linearRegex } from "../../../functions/core/rules/sigma/linear-regex";
import { sigmaRule } from "../../../functions/core/rules/sigma/rule";
import { wildcard } from "../../../functions/core/rules/wildcard";

const FIXTURES = join(__dirname, "../../fixtures/sigma");

/** A minimal valid rule document with the detection given. */
const doc = (detection: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  title: "t", logsource: { product: "aws", service: "cloudtrail" }, detection: { selection: { eventName: "X" }, condition: "selection", ...detection }, ...extra,
});
const problem = (d: unknown) => {
  try {
    compileSigma(d, "rule.yml");
    return "compiled";
  } catch (e) {
    return (e as Error).message;
  }
};

describe("Sigma rules for CloudTrail", () => {
  const folder = loadRulesFolder(FIXTURES, { examples: true });

  it("load from a folder, each under trailwatch's id made from its file name", () => {
    expect(folder.problems).toEqual([]);
    expect(folder.rules.map((r) => r.rule.id).sort()).toEqual([
      "sigma.all-of-them", "sigma.any-of-them", "sigma.contains-startswith-endswith", "sigma.one-of-and-not", "sigma.plain-values-and-lists", "sigma.regex-cidr-exists",
    ]);
  });

  describe.each(folder.rules.map((r) => [r.rule.id, r] as const))("%s", (_id, loaded) => {
    it("fires on every positive example and on no negative one", () => {
      // Act
      const result = testRuleExamples(loaded.rule, loaded.examples);
      // Assess
      expect(result.failures).toEqual([]);
      expect(result.positives).toBeGreaterThanOrEqual(1);
      expect(result.negatives).toBeGreaterThanOrEqual(2);
    });
  });

  it("carries the Sigma rule's level, tags, status, references, false positives and author", () => {
    const l = folder.rules.find((r) => r.rule.id === "sigma.plain-values-and-lists")!;
    expect(l.rule).toEqual(expect.objectContaining({ severity: "high", status: "experimental", falsePositives: ["Backup service accounts rotated by hand"] }));
    expect(l.rule.references.mitre).toEqual(["T1098.001"]);
    const sev = (id: string) => folder.rules.find((r) => r.rule.id === id)!.rule.severity;
    expect([sev("sigma.all-of-them"), sev("sigma.any-of-them"), sev("sigma.contains-startswith-endswith"), sev("sigma.regex-cidr-exists")]).toEqual(["info", "low", "medium", "critical"]);
    expect(folder.rules.find((r) => r.rule.id === "sigma.regex-cidr-exists")!.rule.status).toBe("stable");
    // Every alert names the rule and its author (Sigma's Detection Rule License asks for it).
    const engine = new RuleEngine([l.rule]);
    const ev = engine.evaluate(l.examples!.positive[0] as { eventSource: string; eventName: string });
    const alert = toAlert(ev.kind === "findings" ? ev.findings[0]! : (undefined as never));
    expect(alert.context).toEqual(expect.objectContaining({
      sigma: { id: "0f3a7c1e-1111-4c55-9d5e-000000000001", title: l.rule.title, author: "trailwatch tests", file: "plain_values_and_lists.yml" },
      attribution: `Sigma rule "${l.rule.title}" by trailwatch tests`,
    }));
    expect(alert.summary).toBe(`dev-jane called CreateAccessKey (iam) in account 111122223333: matches Sigma rule "${l.rule.title}"`);
  });

  it("are indexed by the event sources and names their condition requires, without regard to case", () => {
    const index = (id: string) => folder.rules.find((r) => r.rule.id === id)!.spec!.index;
    expect(index("sigma.plain-values-and-lists")).toEqual({ eventSources: ["iam.amazonaws.com"], eventNames: ["createaccesskey", "createloginprofile"] });
    expect(index("sigma.one-of-and-not")).toEqual({ eventSources: ["cloudtrail.amazonaws.com"], eventNames: ["deletetrail", "stoplogging", "updatetrail"] });
    expect(index("sigma.any-of-them")).toEqual({ eventSources: ["config.amazonaws.com", "guardduty.amazonaws.com"], eventNames: ["deletedetector", "stopconfigurationrecorder"] });
    expect(index("sigma.all-of-them")).toEqual({ eventSources: ["ec2.amazonaws.com"], eventNames: ["modifysnapshotattribute"] });
    expect(index("sigma.regex-cidr-exists")).toEqual({ eventSources: "*", eventNames: "*" });
    // The engine finds a rule written in lower case for the name CloudTrail writes.
    const rule = sigmaRule(compileSigma(doc({ selection: { eventSource: "IAM.amazonaws.com", eventName: "createuser" } }), "lower.yml"));
    const ev = new RuleEngine([rule]).evaluate({ eventSource: "iam.amazonaws.com", eventName: "CreateUser", eventTime: "2026-11-20T10:00:00Z", userIdentity: { type: "Root" } } as never);
    expect(ev.kind === "findings" && ev.findings.map((f) => f.rule.id)).toEqual(["sigma.lower"]);
  });

  it.each([
    [doc({ condition: "selection | count() > 5" }), "aggregations (`| count() ...`, `| near ...`) are not supported"],
    [doc({ condition: "selection near selection" }), "`near` is not supported"],
    [doc({ timeframe: "10m" }), "timeframe is not supported"],
    [doc({ selection: { "eventName|base64": "X" } }), 'detection.selection.eventName|base64: modifier "base64" is not supported (supported: contains, startswith'],
    [doc({ selection: { "eventName|sounds_like": "X" } }), 'unknown modifier "sounds_like"'],
    [doc({ selection: { "userIdentity.arn|fieldref": "requestParameters.userName" } }), 'modifier "fieldref" is not supported'],
    [doc({ selection: { "eventName|contains|startswith": "X" } }), "modifiers contains and startswith cannot be combined"],
    [doc({ selection: ["mimikatz", "TruffleHog"] }), "keyword (full-text) searches are not supported"],
    [doc({ selection: { "|contains": "x" } }), "keyword (full-text) searches are not supported"],
    [doc({ selection: { "userAgent|re": "(?<=x)y" } }), "lookaround"],
    [doc({ selection: { "userAgent|re": "(a)\\1" } }), "backreferences are not supported"],
    [doc({ selection: { "userAgent|re": "([a-z]" } }), "not a usable regular expression"],
    [doc({ selection: { "sourceIPAddress|cidr": "10.0.0.0/40" } }), "detection.selection.sourceIPAddress|cidr: not a CIDR"],
    [doc({ selection: { "eventName|exists": "yes" } }), "exists takes true or false"],
    [doc({ condition: "selection and filter" }), 'detection.condition: "filter" is not a selection of the detection'],
    [doc({ condition: "2 of selection*" }), '"2 of": only "1 of", "any of" and "all of"'],
    [doc({ condition: "1 of filter_*" }), '"filter_*" names no selection'],
    [doc({ condition: "(selection" }), "expected ) at the end"],
    [doc({}, { logsource: { product: "windows", service: "security" } }), "is not supported: trailwatch reads AWS CloudTrail (logsource product: aws, service: cloudtrail)"],
    [doc({}, { logsource: { product: "aws", service: "cloudtrail", category: "process_creation" } }), "is not supported"],
    [doc({}, { level: "severe" }), 'level "severe" is not a Sigma level'],
    [doc({}, { status: "unsupported" }), 'the rule\'s status is "unsupported"'],
    [{ title: "c", correlation: { type: "event_count" } }, "correlation rules are not supported"],
    [{ logsource: { product: "aws", service: "cloudtrail" }, detection: {} }, "title is required"],
  ])("rejects %j naming the file and the feature", (d, message) => {
    const got = problem(d);
    expect(got.startsWith("rule.yml: ")).toBe(true);
    expect(got).toContain(message);
  });

  it("run regular expressions in linear time, so no pattern can stall on what a record holds", () => {
    // (a|a)*b backtracks exponentially on a run of a's with an ordinary engine.
    const re = linearRegex("(a|a)*b");
    expect(re.test("a".repeat(10_000))).toBe(false);
    expect(re.test("aaab")).toBe(true);
    expect(linearRegex("(?i)TRUFFLEHOG/\\d").test("trufflehog/3.1")).toBe(true);
    expect(linearRegex("^\\DX").test("AX")).toBe(true);
    expect(linearRegex("a.b", { s: true }).test("a\nb")).toBe(true);
  });

  it("compare wildcards without backtracking, with Sigma's escapes", () => {
    expect(wildcard("*a*a*a*a*b").test("a".repeat(50_000))).toBe(false);
    expect(wildcard("a\\*b", { escapes: true }).test("a*b")).toBe(true);
    expect(wildcard("a\\*b", { escapes: true }).test("axb")).toBe(false);
    expect(wildcard("a\\b", { escapes: true }).test("a\\b")).toBe(true);
    expect(wildcard("A?c", { ignoreCase: false }).test("abc")).toBe(false);
  });

  it("name a trailwatch id after the file", () => {
    expect(sigmaRuleId("rules/aws_iam_backdoor_users_keys.yml")).toBe("sigma.aws-iam-backdoor-users-keys");
  });

  describe("files in a rules folder", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "tw-rules-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));
    const good = "title: good\nlogsource: {product: aws, service: cloudtrail}\ndetection:\n  selection: {eventName: X}\n  condition: selection\n";

    it("are reported one by one, and the good ones still load", () => {
      // Prepare
      writeFileSync(join(dir, "good.yml"), good);
      writeFileSync(join(dir, "broken.yml"), "title: [unclosed\n");
      writeFileSync(join(dir, "two.yml"), `${good}---\n${good}`);
      writeFileSync(join(dir, "bomb.yml"), `a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n${good.replace("title: good", "title: bomb")}`);
      writeFileSync(join(dir, "huge.yml"), `${good.replace("title: good", "title: huge")}# ${"x".repeat(300_000)}\n`);
      writeFileSync(join(dir, "same.yml"), good);
      writeFileSync(join(dir, "not-a-rule.ts"), "export default { id: 'Bad Id' };\n");
      writeFileSync(join(dir, "throws.ts"), "throw new Error('boom at load');\n");
      writeFileSync(join(dir, "notes.md"), "not a rule");
      // Act
      const f = loadRulesFolder(dir, { reservedIds: new Set(["sigma.same"]) });
      // Assess
      expect(f.rules.map((r) => r.rule.id)).toEqual(["sigma.good"]);
      const by = Object.fromEntries(f.problems.map((p) => [p.file, p.message]));
      expect(Object.keys(by).sort()).toEqual(["bomb.yml", "broken.yml", "huge.yml", "not-a-rule.ts", "same.yml", "throws.ts", "two.yml"]);
      expect(by["broken.yml"]).toMatch(/^not valid YAML: /);
      expect(by["two.yml"]).toMatch(/holds 2 YAML documents; one Sigma rule per file/);
      expect(by["bomb.yml"]).toMatch(/alias/i);
      expect(by["huge.yml"]).toMatch(/is \d+ bytes; a rule file may be at most 262144 bytes/);
      expect(by["same.yml"]).toBe('rule id "sigma.same" is a rule of the catalog; give your rule its own id');
      expect(by["not-a-rule.ts"]).toMatch(/has id "Bad Id": expected service.what-happened/);
      expect(by["throws.ts"]).toBe("cannot be loaded: boom at load");
    });

    it("name a folder that does not exist", () => {
      expect(loadRulesFolder(join(dir, "nope")).problems).toEqual([{ file: join(dir, "nope"), message: "cannot be read (ENOENT)" }]);
    });
  });
});
