import { join } from "node:path";
import { loadRulesFolder } from "../../../functions/adapters/local/rules-folder";
import { catalog } from "../../../functions/core/rules/catalog";
import { sigmaRule } from "../../../functions/core/rules/sigma/rule";
import { compileTuning } from "../../../functions/core/rules/tuning/compile";
import { tuningData, type TuningData } from "../../../functions/core/rules/tuning/data";
import { deploymentRuleSet } from "../../../functions/handlers/shared/deployment-rule-set";
import { CONTEXT, captureStdout, metricSum, s3Notification, sqsEvent, startHarness, type Harness } from "./harness";
import { ACCOUNT, attachAdmin, logKey, record, stopLogging } from "./records";

const EXAMPLES = join(__dirname, "../../../examples/rules");

/** What a deployment's bundle embeds, as synth makes it: the example rules folder, and a tuning compiled for it. */
function ruleSet(section: Record<string, unknown>) {
  const folder = loadRulesFolder(EXAMPLES);
  expect(folder.problems).toEqual([]);
  const { tuning, issues } = compileTuning([...catalog, ...folder.rules.map((r) => r.rule)], section);
  expect(issues).toEqual([]);
  return deploymentRuleSet({
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    modules: folder.rules.filter((r) => r.kind === "typescript").map((r) => require(r.file) as unknown),
    sigma: folder.rules.flatMap((r) => (r.spec ? [r.spec] : [])),
    sigmaRule,
    tuning: JSON.parse(JSON.stringify(tuningData(tuning))) as TuningData,
  });
}

const breakGlass = (over: Record<string, unknown> = {}) =>
  record({ eventSource: "sts.amazonaws.com", eventName: "AssumeRole", requestParameters: { roleArn: `arn:aws:iam::${ACCOUNT}:role/break-glass-admin`, roleSessionName: "alice" }, ...over });
const publicSecret = () =>
  record({ eventSource: "secretsmanager.amazonaws.com", eventName: "PutResourcePolicy", requestParameters: { secretId: "prod/db", resourcePolicy: '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"secretsmanager:GetSecretValue"}]}' } });

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

describe("log analyzer with a deployment's tuning and rules", () => {
  it("runs your rules, sets severities, switches rules off, and counts suppressed matches in metrics and logs", async () => {
    // Prepare
    const set = ruleSet({
      "cloudtrail.logging-stopped": { severity: "medium" },
      "iam.admin-policy-attached": { suppressions: [{ cidr: "203.0.113.0/24", reason: "admin grants from the office are reviewed in the IAM pipeline" }] },
      "iam.break-glass-role-assumed": { suppressions: [{ userAgent: "drill-runner/*", reason: "quarterly break-glass drill" }, { account: ACCOUNT, expires: "2020-06-30", reason: "old migration" }] },
      "sigma.aws-access-key-created-outside-office": { enabled: false },
    });
    const k = logKey(`tuned-${Date.now()}`);
    await h.putLog(k, [
      attachAdmin("a"),
      attachAdmin("b", { sourceIPAddress: "198.51.100.9" }),
      stopLogging(),
      breakGlass(),
      breakGlass({ userAgent: "drill-runner/1.0" }),
      publicSecret(),
      record({ eventSource: "iam.amazonaws.com", eventName: "CreateAccessKey", requestParameters: { userName: "bob" } }),
    ]);
    const analyze = h.analyzer({}, { catalog: set.rules, ...(set.tune ? { tune: set.tune } : {}) });
    // Act
    const before = h.sent().length;
    const { lines, result } = await captureStdout(() => analyze(sqsEvent([s3Notification([k])]), CONTEXT));
    const sent = h.sent().slice(before);
    // Assess: what went out.
    expect(result.batchItemFailures).toEqual([]);
    const by = (rule: string) => sent.filter((a) => a.rule === rule);
    expect(by("iam.admin-policy-attached").map((a) => a.context.sourceIPAddress)).toEqual(["198.51.100.9"]);
    expect(by("cloudtrail.logging-stopped").map((a) => a.severity)).toEqual(["medium"]);
    expect(by("iam.break-glass-role-assumed")).toHaveLength(1);
    expect(by("sigma.aws-secret-policy-allows-everyone").map((a) => a.context.attribution)).toEqual(['Sigma rule "AWS Secrets Manager Secret Policy Allows Everyone" by Example Security Team']);
    expect(by("sigma.aws-access-key-created-outside-office")).toEqual([]);
    expect(by("iam.access-key-created")).toHaveLength(1);
    // Assess: what was kept back is counted, per rule and in all.
    expect(metricSum(lines, "SuppressedMatches")).toBe(2);
    expect(metricSum(lines, "SuppressedMatches", ["service", "rule"], { rule: "iam.admin-policy-attached" })).toBe(1);
    expect(metricSum(lines, "SuppressedMatches", ["service", "rule"], { rule: "iam.break-glass-role-assumed" })).toBe(1);
    const analyzed = lines.find((l) => l.message === "object analyzed") as { suppressed?: unknown[]; expiredSuppressions?: unknown[] };
    expect(analyzed.suppressed).toEqual(expect.arrayContaining([
      { rule: "iam.admin-policy-attached", suppression: 'rules["iam.admin-policy-attached"].suppressions[0]', reason: "admin grants from the office are reviewed in the IAM pipeline", count: 1 },
      { rule: "iam.break-glass-role-assumed", suppression: 'rules["iam.break-glass-role-assumed"].suppressions[0]', reason: "quarterly break-glass drill", count: 1 },
    ]));
    // The expired suppression no longer applies; it is said in the logs, with the match it would have kept back.
    expect(analyzed.expiredSuppressions).toEqual([{ rule: "iam.break-glass-role-assumed", suppression: 'rules["iam.break-glass-role-assumed"].suppressions[1]', reason: "old migration", expires: "2020-06-30", matches: 1 }]);
    expect(lines.filter((l) => l.message === "suppression expired; its matches are alerted again")).toHaveLength(1);
  });

  it("fails its cold start, naming the rule and the setting, when an embedded setting is refused", () => {
    const folder = loadRulesFolder(EXAMPLES);
    expect(() =>
      deploymentRuleSet({
        modules: [],
        sigma: folder.rules.flatMap((r) => (r.spec ? [r.spec] : [])),
        sigmaRule,
        tuning: { disabled: [], severity: {}, suppressions: {}, settings: { "ssm.plaintext-secret-parameter": { namePatterns: "secret" } } },
      }),
    ).toThrow(/log-analyzer: the rules its bundle embeds: settings of rule "ssm.plaintext-secret-parameter": namePatterns: /);
  });
});
