/**
 * The ASFF mapping, checked against the format's required top-level attributes and limits
 * (Security Hub User Guide, "Required top-level ASFF attributes"; API reference AwsSecurityFinding):
 * SchemaVersion, Id, ProductArn, GeneratorId, AwsAccountId, Types, CreatedAt, UpdatedAt, Severity,
 * Title (256 characters), Description (1,024), Resources (1 to 32, each with Type and Id).
 */
import type { Alert } from "../../../functions/core/alert/alert";
import { ASFF_MAX_FINDING_BYTES, AsffFindingTooLargeError, securityHubProductArn, toAsffFinding, type AsffFinding } from "../../../functions/core/formats/asff";
import { asffTypeOfTechnique, TECHNIQUE_TYPES } from "../../../functions/core/formats/asff-types";
import { catalog } from "../../../functions/core/rules/catalog";

const TARGET = { partition: "aws", region: "eu-west-1", account: "222233334444" };
const NOW = new Date("2026-12-01T08:00:00.000Z");
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/;

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: "0f1e2d3c4b5a69788796a5b4c3d2e1f0", rule: "cloudtrail.logging-stopped", title: "CloudTrail logging stopped", severity: "critical",
  account: "111122223333", region: "us-east-1", principal: "arn:aws:iam::111122223333:role/ops", principalType: "AssumedRole",
  eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", eventTime: "2026-11-20T10:00:00Z", eventId: "ev-1",
  summary: "ops (session eve) stopped logging on trail org-trail", context: { trail: "org-trail", sourceIPAddress: "198.51.100.7" },
  remediation: null, references: { mitre: ["T1562.008"], stratus: ["aws.defense-evasion.cloudtrail-stop"] }, occurrences: 1, ...over,
});

/** The required attributes and the limits the Security Hub API enforces. */
function requiredProblems(f: AsffFinding): string[] {
  const p: string[] = [];
  const str = (k: keyof AsffFinding) => typeof f[k] === "string" && (f[k]).length > 0 || p.push(`${k} missing`);
  (["SchemaVersion", "Id", "ProductArn", "GeneratorId", "AwsAccountId", "CreatedAt", "UpdatedAt", "Title", "Description"] as const).forEach(str);
  if (!/^\d{12}$/.test(f.AwsAccountId)) p.push("AwsAccountId is not an account id");
  if (!Array.isArray(f.Types) || f.Types.length === 0 || f.Types.length > 50) p.push("Types must hold 1-50 types");
  for (const t of f.Types) if (!/^(Software and Configuration Checks|TTPs|Effects|Unusual Behaviors|Sensitive Data Identifications)(\/[^/]+){0,2}$/.test(t)) p.push(`type ${t} is not namespace/category/classifier`);
  for (const k of ["CreatedAt", "UpdatedAt", "FirstObservedAt", "LastObservedAt"] as const) if (!ISO.test(f[k])) p.push(`${k} is not ISO 8601`);
  if (!["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"].includes(f.Severity?.Label)) p.push("Severity.Label");
  if (f.Title.length > 256) p.push("Title over 256");
  if (f.Description.length > 1024) p.push("Description over 1024");
  if (f.Resources.length < 1 || f.Resources.length > 32) p.push("Resources must hold 1-32");
  for (const r of f.Resources) if (!r.Type || !r.Id || r.Id.length > 512) p.push(`resource ${JSON.stringify(r)}`);
  const fields = Object.entries(f.ProductFields);
  if (fields.length > 50) p.push("over 50 ProductFields");
  for (const [k, v] of fields) if (k.length > 128 || v.length > 2048) p.push(`ProductFields.${k} too long`);
  if (Buffer.byteLength(JSON.stringify(f)) > ASFF_MAX_FINDING_BYTES) p.push("over 240 KB");
  return p;
}

describe("an alert as an ASFF finding", () => {
  it("has every required attribute, within ASFF's limits, imported as the deployment account's default product", () => {
    // Act
    const f = toAsffFinding(alert(), TARGET, NOW);
    // Assess
    expect(requiredProblems(f)).toEqual([]);
    expect(f).toMatchObject({
      SchemaVersion: "2018-10-08", Id: "trailwatch/0f1e2d3c4b5a69788796a5b4c3d2e1f0", GeneratorId: "trailwatch/cloudtrail.logging-stopped",
      ProductArn: "arn:aws:securityhub:eu-west-1:222233334444:product/222233334444/default", AwsAccountId: "222233334444",
      CreatedAt: "2026-11-20T10:00:00.000Z", UpdatedAt: "2026-12-01T08:00:00.000Z", Severity: { Label: "CRITICAL", Original: "critical" },
      Types: ["TTPs/Defense Evasion/T1562.008"], RecordState: "ACTIVE", Workflow: { Status: "NEW" },
      Resources: [
        { Type: "AwsAccount", Id: "AWS::::Account:111122223333", Partition: "aws", Region: "us-east-1" },
        { Type: "AwsIamRole", Id: "arn:aws:iam::111122223333:role/ops", Partition: "aws", Region: "us-east-1" },
      ],
      Action: { ActionType: "AWS_API_CALL", AwsApiCallAction: { Api: "StopLogging", ServiceName: "cloudtrail.amazonaws.com", CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: "198.51.100.7" } } },
    });
    expect(f.FindingProviderFields).toEqual({ Severity: f.Severity, Types: f.Types });
    expect(f.ProductFields).toMatchObject({ "trailwatch/Account": "111122223333", "trailwatch/Mitre": "T1562.008", "trailwatch/Occurrences": "1", "trailwatch/Context": JSON.stringify(alert().context) });
    expect(securityHubProductArn({ partition: "aws-us-gov", region: "us-gov-west-1", account: "111122223333" })).toBe("arn:aws-us-gov:securityhub:us-gov-west-1:111122223333:product/111122223333/default");
  });

  it("keeps one finding id for repeats of an alert: the first event stays CreatedAt, UpdatedAt and the counts move", () => {
    // Act
    const first = toAsffFinding(alert(), TARGET, NOW);
    const repeat = toAsffFinding(alert({ occurrences: 5, lastEventTime: "2026-11-20T11:30:00Z" }), TARGET, new Date("2026-12-01T09:00:00Z"));
    // Assess
    expect(repeat.Id).toBe(first.Id);
    expect([repeat.CreatedAt, repeat.FirstObservedAt, repeat.LastObservedAt, repeat.UpdatedAt]).toEqual(["2026-11-20T10:00:00.000Z", "2026-11-20T10:00:00.000Z", "2026-11-20T11:30:00.000Z", "2026-12-01T09:00:00.000Z"]);
    expect(repeat.ProductFields["trailwatch/Occurrences"]).toBe("5");
  });

  it("maps every severity, and resolves (archives) the finding only when a remediation succeeded in apply mode", () => {
    // Assess
    const labels = (["info", "low", "medium", "high", "critical"] as const).map((s) => toAsffFinding(alert({ severity: s }), TARGET, NOW).Severity.Label);
    expect(labels).toEqual(["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]);
    const state = (remediation: Alert["remediation"]) => {
      const f = toAsffFinding(alert({ remediation }), TARGET, NOW);
      return [f.RecordState, f.Workflow.Status, f.Remediation?.Recommendation.Text];
    };
    expect(state({ action: "cloudtrail.start-logging", mode: "apply", status: "succeeded", detail: "logging restarted" })).toEqual(["ARCHIVED", "RESOLVED", "cloudtrail.start-logging (apply): succeeded: logging restarted"]);
    expect(state({ action: "cloudtrail.start-logging", mode: "dry-run", status: "planned", detail: "would restart" })).toEqual(["ACTIVE", "NEW", "cloudtrail.start-logging (dry-run): planned: would restart"]);
    expect(state({ action: "cloudtrail.start-logging", mode: "apply", status: "failed", detail: "AccessDenied" })).toEqual(["ACTIVE", "NEW", expect.stringContaining("failed")]);
    expect(state(null)).toEqual(["ACTIVE", "NEW", undefined]);
  });

  it("files each ATT&CK technique of the catalog under a TTPs or Effects type; a rule without one gets a type of its kind", () => {
    // Act
    const ids = [...new Set(catalog.flatMap((r) => r.references?.mitre ?? []))];
    // Assess: the table in asff-types.ts covers every technique the rules cite
    expect(ids.filter((id) => asffTypeOfTechnique(id) === undefined)).toEqual([]);
    expect(Object.keys(TECHNIQUE_TYPES).length).toBeGreaterThan(20);
    expect(asffTypeOfTechnique("T1537")).toBe("Effects/Data Exfiltration/T1537");
    expect(toAsffFinding(alert({ references: undefined }), TARGET, NOW).Types).toEqual(["Software and Configuration Checks/AWS Security Best Practices/cloudtrail.logging-stopped"]);
    expect(toAsffFinding(alert({ rule: "anomaly.new-action", references: undefined }), TARGET, NOW).Types).toEqual(["Unusual Behaviors/User/anomaly.new-action"]);
  });

  it("treats record values as hostile: control characters written out, long values cut, a time in the future not taken as CreatedAt", () => {
    // Act
    const f = toAsffFinding(
      alert({ summary: `stopped\u202e\x1b[2J logging${"!".repeat(3000)}`, principal: `arn:aws:iam::111122223333:user/${"m".repeat(3000)}`, eventTime: "2031-01-01T00:00:00Z", retroHunt: { hunt: "h1", from: "2026-10-01T00:00:00.000Z", to: "2026-11-01T00:00:00.000Z" } }),
      TARGET,
      NOW,
    );
    // Assess
    expect(requiredProblems(f)).toEqual([]);
    expect(f.Description.startsWith("stopped\\u202e\\x1b[2J logging")).toBe(true);
    expect(f.CreatedAt).toBe(NOW.toISOString());
    expect(f.ProductFields["trailwatch/RetroHunt"]).toBe("h1 (2026-10-01T00:00:00.000Z to 2026-11-01T00:00:00.000Z)");
  });

  it("goes without its context field when it would be larger than the limit, and refuses to be built when even that is too large", () => {
    // Prepare
    const big = alert({ context: { blob: "x".repeat(1500) } });
    const without = Buffer.byteLength(JSON.stringify(toAsffFinding(alert({ context: {} }), TARGET, NOW)));
    // Act
    const f = toAsffFinding(big, TARGET, NOW, without + 100);
    // Assess
    expect(f.ProductFields["trailwatch/Context"]).toBeUndefined();
    expect(() => toAsffFinding(big, TARGET, NOW, 500)).toThrow(AsffFindingTooLargeError);
  });
});
