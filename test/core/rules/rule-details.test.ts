import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine, toAlert, type Finding } from "../../../functions/core/rules/engine";
import { defineRule } from "../../../functions/core/rules/rule";
import type { Alert } from "../../../functions/core/alert/alert";
import { loadExamples } from "./examples";

/** The alerts one rule raises on one of its example records (by eventName and position among them). */
function alertsFor(ruleId: string, pick: (r: Record<string, unknown>) => boolean, settings?: unknown): Alert[] {
  const engine = new RuleEngine(catalog, { only: [ruleId], ...(settings ? { settings: { [ruleId]: settings } } : {}) });
  const record = loadExamples(ruleId)!.positive.find(pick);
  if (!record) throw new Error(`no positive example of ${ruleId} matches`);
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  return ev.kind === "findings" ? ev.findings.map((f: Finding) => toAlert(f)) : [];
}
const param = (r: Record<string, unknown>, k: string) => (r.requestParameters as Record<string, unknown> | null)?.[k];

describe("the engine and rules that watch every event source", () => {
  it("runs a rule declared for every source only on records of its identity types", () => {
    // Prepare
    const seen: string[] = [];
    const rule = defineRule({
      id: "t.root", title: "t", severity: "low", description: "t", eventSources: ["*"], eventNames: "*", identityTypes: ["Root"],
      match: (r) => { seen.push(r.eventName); return true; }, summary: () => "s", references: {},
    });
    const engine = new RuleEngine([rule]);
    const evaluate = (r: Record<string, unknown>) =>
      engine.evaluate({ eventTime: "2026-10-14T09:00:00Z", eventSource: "ec2.amazonaws.com", ...r } as unknown as { eventSource: string; eventName: string });
    // Act
    evaluate({ eventName: "A", userIdentity: { type: "Root" } });
    evaluate({ eventName: "B", userIdentity: { type: "IAMUser" } });
    evaluate({ eventSource: "made-up.amazonaws.com", eventName: "C", userIdentity: { type: "Root" } });
    evaluate({ eventName: "D", userIdentity: "not an object" });
    // Assess
    expect(seen).toEqual(["A", "C"]);
  });

  it("runs a rule declared for every source only on records of its event types", () => {
    // Prepare
    const seen: string[] = [];
    const rule = defineRule({
      id: "t.vpce", title: "t", severity: "low", description: "t", eventSources: ["*"], eventNames: "*", eventTypes: ["AwsVpceEvent"],
      match: (r) => { seen.push(r.eventName); return true; }, summary: () => "s", references: {},
    });
    const engine = new RuleEngine([rule]);
    const evaluate = (r: Record<string, unknown>) =>
      engine.evaluate({ eventTime: "2026-10-14T09:00:00Z", eventSource: "s3.amazonaws.com", ...r } as unknown as { eventSource: string; eventName: string });
    // Act
    evaluate({ eventName: "A", eventType: "AwsVpceEvent" });
    evaluate({ eventName: "B", eventType: "AwsApiCall" });
    evaluate({ eventName: "C" });
    evaluate({ eventSource: "kms.amazonaws.com", eventName: "D", eventType: "AwsVpceEvent" });
    evaluate({ eventName: "E", eventType: 7 });
    // Assess
    expect(seen).toEqual(["A", "D"]);
  });
});

describe("what the alerts carry", () => {
  it("cloudtrail.trail-modified lists each way the trail now logs less, worst first in severity", () => {
    const [a] = alertsFor("cloudtrail.trail-modified", (r) => r.eventName === "UpdateTrail" && param(r, "isMultiRegionTrail") === false);
    expect(a!.severity).toBe("high");
    expect(a!.context.changes).toEqual([
      expect.stringMatching(/^high: multi-region logging turned off/),
      expect.stringMatching(/^high: global service events .* no longer logged/),
    ]);
    const [b] = alertsFor("cloudtrail.trail-modified", (r) => param(r, "s3BucketName") === "totally-not-exfil-bucket-4417");
    expect(b!.severity).toBe("medium");
    expect(b!.context.changes).toEqual([
      expect.stringMatching(/^medium: log file integrity validation turned off/),
      expect.stringMatching(/^medium: log files are now delivered to bucket totally-not-exfil-bucket-4417/),
    ]);
    expect(b!.summary).toMatch(/^mallory changed trail org-trail with UpdateTrail so it logs less: .* \(\+1 more\)$/);
  });

  it("iam.admin-policy-attached gives a remediator the target and the policy, and says when detaching applies", () => {
    const [managed] = alertsFor("iam.admin-policy-attached", (r) => r.eventName === "AttachUserPolicy" && param(r, "userName") === "backup-svc");
    expect(managed!.context).toMatchObject({ grant: "managed-policy", targetType: "user", targetName: "backup-svc", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess", remediable: true });
    const [inline] = alertsFor("iam.admin-policy-attached", (r) => r.eventName === "PutRolePolicy");
    expect(inline!.context).toMatchObject({ grant: "inline-policy", targetType: "role", targetName: "ci-deployer", remediable: false });
    const [iamFull] = alertsFor("iam.admin-policy-attached", (r) => param(r, "policyArn") === "arn:aws:iam::aws:policy/IAMFullAccess");
    expect(iamFull!.context).toMatchObject({ grant: "managed-policy", remediable: false });
  });

  it("ec2.security-group-open-to-world names the group, ports, protocol, CIDR and the rule ids to revoke", () => {
    const [a] = alertsFor("ec2.security-group-open-to-world", (r) => r.eventName === "AuthorizeSecurityGroupIngress" && JSON.stringify(r).includes("5432"));
    expect(a!.severity).toBe("high");
    // 443 to the world is allowed by default; only the database port is reported.
    expect(a!.context).toMatchObject({ groupId: "sg-0123456789abcdef0", direction: "ingress", permissions: [{ protocol: "tcp", ports: "5432-5432", cidr: "::/0", securityGroupRuleId: expect.stringMatching(/^sgr-/) }] });
    const [m] = alertsFor("ec2.security-group-open-to-world", (r) => r.eventName === "ModifySecurityGroupRules");
    expect(m!.context).toMatchObject({ direction: "unknown", permissions: [{ ports: "3389-3389", cidr: "0.0.0.0/0", securityGroupRuleId: "sgr-0abc1234def567890" }] });
    // With 8080-8090 allowed, the flat-shaped event is no longer a finding.
    expect(alertsFor("ec2.security-group-open-to-world", (r) => param(r, "cidrIp") === "0.0.0.0/0", { allowedPorts: [80, 443, ...Array.from({ length: 11 }, (_, i) => 8080 + i)] })).toEqual([]);
  });

  it("s3.bucket-made-public says how the bucket was exposed and whether the bucket-level remediation applies", () => {
    const [acl] = alertsFor("s3.bucket-made-public", (r) => r.eventName === "PutBucketAcl" && param(r, "bucketName") === "acme-marketing");
    expect(acl!.context).toMatchObject({ bucket: "acme-marketing", exposure: "acl-grant", scope: "bucket", remediable: true });
    expect(acl!.severity).toBe("critical");
    const [account] = alertsFor("s3.bucket-made-public", (r) => r.eventName === "PutAccountPublicAccessBlock");
    expect(account!.context).toMatchObject({ exposure: "public-access-block-weakened", scope: "account", remediable: false });
    expect(account!.severity).toBe("high");
  });

  it("iam.root-activity is critical for a sign-in without MFA and for a root access key, medium for read-only calls", () => {
    expect(alertsFor("iam.root-activity", (r) => r.eventName === "ConsoleLogin")[0]!.severity).toBe("critical");
    expect(alertsFor("iam.root-activity", (r) => r.eventName === "CreateAccessKey")[0]!.severity).toBe("critical");
    expect(alertsFor("iam.root-activity", (r) => r.eventName === "DescribeInstances")[0]!.severity).toBe("medium");
  });

  it("iam.access-key-created and iam.login-profile-changed are worse for someone else than for yourself", () => {
    const sev = (id: string, pick: (r: Record<string, unknown>) => boolean) => alertsFor(id, pick)[0]!.severity;
    expect(sev("iam.access-key-created", (r) => param(r, "userName") === "backup-svc")).toBe("high");
    expect(sev("iam.access-key-created", (r) => (r.userIdentity as { userName?: string }).userName === "dev-jane")).toBe("low");
    expect(sev("iam.login-profile-changed", (r) => param(r, "userName") === "cfo")).toBe("high");
    expect(sev("iam.login-profile-changed", (r) => param(r, "userName") === "new-contractor")).toBe("medium");
    expect(sev("iam.login-profile-changed", (r) => param(r, "userName") === "dev-jane")).toBe("low");
  });

  it("organizations.leave-attempt reports a refused attempt and is critical when the account really left", () => {
    expect(alertsFor("organizations.leave-attempt", (r) => typeof r.errorCode === "string")[0]!.severity).toBe("high");
    expect(alertsFor("organizations.leave-attempt", (r) => r.errorCode === undefined)[0]!.severity).toBe("critical");
  });

  it("sharing rules accept the accounts listed as trusted", () => {
    expect(alertsFor("ec2.snapshot-shared", (r) => JSON.stringify(r).includes("444455556666"))).toHaveLength(1);
    expect(alertsFor("ec2.snapshot-shared", (r) => JSON.stringify(r).includes("444455556666"), { trustedAccounts: ["444455556666"] })).toEqual([]);
    expect(() => new RuleEngine(catalog, { settings: { "ec2.snapshot-shared": { trustedAccounts: ["4444"] } } })).toThrow(/trustedAccounts\.0: must be a 12-digit AWS account id/);
  });
});
