import { catalog } from "../../../functions/core/rules/catalog";
import { RuleConfigError, RuleEngine, toAlert } from "../../../functions/core/rules/engine";
import { isPublicIPv4 } from "../../../functions/core/rules/catalog/vpce-data-perimeter-violation";
import type { Alert } from "../../../functions/core/alert/alert";
import { loadExamples } from "./examples";

type Rec = Record<string, unknown>;
const OUTSIDE = "444455556666";

/** The alerts one rule raises on a record, with optional settings. */
function alerts(ruleId: string, record: Rec, settings?: unknown): Alert[] {
  const engine = new RuleEngine(catalog, { only: [ruleId], ...(settings ? { settings: { [ruleId]: settings } } : {}) });
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  if (ev.kind === "invalid") throw new Error(ev.reason);
  expect(engine.ruleErrors.size).toBe(0);
  return ev.findings.map(toAlert);
}
const severity = (ruleId: string, record: Rec, settings?: unknown) => alerts(ruleId, record, settings).map((a) => a.severity)[0] ?? "none";

/** A positive (or negative) example of a rule, chosen by a predicate, deep-copied so a test may change it. */
function example(ruleId: string, pick: (r: Rec) => boolean, kind: "positive" | "negative" = "positive"): Rec {
  const found = loadExamples(ruleId)![kind].find(pick);
  if (!found) throw new Error(`no ${kind} example of ${ruleId} matches`);
  return JSON.parse(JSON.stringify(found)) as Rec;
}
const params = (r: Rec) => r.requestParameters as Rec;
const who = (r: Rec) => r.userIdentity as Rec;

describe("severity of the new rules follows who acted and what changed", () => {
  it("ec2.unusual-instance-launched: medium for a caller, low for Auto Scaling, failed attempts included", () => {
    const id = "ec2.unusual-instance-launched";
    expect(severity(id, example(id, (r) => who(r).userName === "mallory" && !r.errorCode))).toBe("medium");
    expect(severity(id, example(id, (r) => who(r).userName === "mallory" && !!r.errorCode))).toBe("medium");
    expect(severity(id, example(id, (r) => r.sourceIPAddress === "autoscaling.amazonaws.com"))).toBe("low");
  });

  it("ec2.network-path-changed: info from a pipeline, low by hand, medium for peering with another account", () => {
    const id = "ec2.network-path-changed";
    expect(severity(id, example(id, (r) => r.eventName === "AttachInternetGateway"))).toBe("info");
    const route = example(id, (r) => r.eventName === "CreateRoute" && who(r).userName === "mallory");
    expect(severity(id, route)).toBe("low");
    expect(alerts(id, route)[0]!.context.note).toBe("all traffic routed to an internet gateway");
    expect(severity(id, example(id, (r) => r.eventName === "AcceptVpcPeeringConnection"))).toBe("medium");
  });

  it("lambda.layer-added: medium by hand, low for a pipeline using an outside layer, nothing for its own layers", () => {
    const id = "lambda.layer-added";
    expect(severity(id, example(id, (r) => who(r).userName === "mallory"))).toBe("medium");
    const foreign = example(id, (r) => JSON.stringify(params(r).layers ?? "").includes(OUTSIDE));
    expect(severity(id, foreign)).toBe("low");
    expect(severity(id, foreign, { trustedLayerAccounts: [OUTSIDE] })).toBe("none");
  });

  it("lambda.code-updated-by-hand: trustedPrincipals silences a break-glass role", () => {
    const id = "lambda.code-updated-by-hand";
    const sso = example(id, (r) => String(who(r).arn).includes("AWSReservedSSO_"));
    expect(severity(id, sso)).toBe("medium");
    expect(severity(id, sso, { trustedPrincipals: ["AWSReservedSSO_AdministratorAccess_"] })).toBe("none");
    expect(() => new RuleEngine(catalog, { only: [id], settings: { [id]: { trustedPrincipals: ["(unclosed"] } } })).toThrow(RuleConfigError);
  });

  it("vpce.data-perimeter-violation: low for a denial, medium for foreign credentials unless the account is trusted", () => {
    const id = "vpce.data-perimeter-violation";
    expect(severity(id, example(id, (r) => r.errorCode === "VpceAccessDenied"))).toBe("low");
    const foreign = example(id, (r) => who(r).accountId === OUTSIDE);
    expect(alerts(id, foreign)[0]!.context.violation).toBe("foreign-credentials");
    expect(severity(id, foreign)).toBe("medium");
    expect(severity(id, foreign, { trustedAccounts: [OUTSIDE] })).toBe("none");
    expect(alerts(id, example(id, (r) => r.sourceIPAddress === "203.0.113.45"))[0]!.context.violation).toBe("public-source-address");
  });

  it("vpce.data-perimeter-violation: only internet-routable IPv4 addresses count as public", () => {
    expect(["8.8.8.8", "203.0.113.45", "172.32.0.1"].filter(isPublicIPv4)).toEqual(["8.8.8.8", "203.0.113.45", "172.32.0.1"]);
    expect(["10.0.0.1", "172.16.4.4", "192.168.1.1", "127.0.0.1", "169.254.169.254", "100.64.0.1", "300.1.1.1", "s3.amazonaws.com", "::1", ""].filter(isPublicIPv4)).toEqual([]);
  });

  it("s3.objects-reencrypted: high for another account's KMS key, medium for SSE-C, quiet for a trusted key account", () => {
    const id = "s3.objects-reencrypted";
    const foreign = example(id, (r) => String(params(r)["x-amz-server-side-encryption-aws-kms-key-id"] ?? "").includes(OUTSIDE));
    expect(severity(id, foreign)).toBe("high");
    expect(severity(id, foreign, { trustedKeyAccounts: [OUTSIDE] })).toBe("none");
    expect(severity(id, example(id, (r) => params(r)["x-amz-server-side-encryption-customer-algorithm"] === "AES256" && who(r).userName === "mallory"))).toBe("medium");
  });

  it("s3.objects-reencrypted: a burst of copies in one bucket and hour is one alert", () => {
    const id = "s3.objects-reencrypted";
    const a = example(id, (r) => params(r)["x-amz-server-side-encryption-customer-algorithm"] === "AES256" && who(r).userName === "mallory");
    const b = { ...a, eventID: "another-event", eventTime: String(a.eventTime).slice(0, 14) + "59:59Z", requestParameters: { ...params(a), key: "2026/10/other.parquet" } };
    expect(alerts(id, a)[0]!.id).toBe(alerts(id, b)[0]!.id);
  });

  it("s3.bucket-replication-removed: medium by hand, low from a pipeline, nothing from CloudFormation", () => {
    const id = "s3.bucket-replication-removed";
    expect(severity(id, example(id, (r) => String(who(r).arn).includes("AWSReservedSSO_")))).toBe("medium");
    expect(severity(id, example(id, (r) => String(who(r).arn).includes("terraform-apply")))).toBe("low");
    expect(severity(id, example(id, (r) => r.sourceIPAddress === "cloudformation.amazonaws.com", "negative"))).toBe("none");
  });

  it("rds rules: no final snapshot and backup retention 0 are high", () => {
    expect(severity("rds.database-deleted", example("rds.database-deleted", (r) => params(r).skipFinalSnapshot === true))).toBe("high");
    expect(severity("rds.database-deleted", example("rds.database-deleted", (r) => r.sourceIPAddress === "cloudformation.amazonaws.com"))).toBe("low");
    const weakened = example("rds.recovery-weakened", (r) => params(r).backupRetentionPeriod === 0 && who(r).userName === "mallory");
    expect(severity("rds.recovery-weakened", weakened)).toBe("high");
    expect(alerts("rds.recovery-weakened", weakened)[0]!.context.changes).toEqual([
      "automated backups turned off (retention 0 deletes the existing ones)",
      "deletion protection turned off",
    ]);
  });

  it("sts.temporary-credentials-from-user-key: federation tokens medium, session tokens without MFA low, with MFA quiet", () => {
    const id = "sts.temporary-credentials-from-user-key";
    expect(severity(id, example(id, (r) => r.eventName === "GetFederationToken"))).toBe("medium");
    expect(severity(id, example(id, (r) => r.eventName === "GetSessionToken"))).toBe("low");
    expect(severity(id, example(id, (r) => params(r)?.serialNumber !== undefined, "negative"))).toBe("none");
  });

  it("ec2.ssh-key-pushed-to-instance: low, naming the key's type but never the key", () => {
    const id = "ec2.ssh-key-pushed-to-instance";
    const eic = example(id, (r) => who(r).userName === "mallory");
    expect(severity(id, eic)).toBe("low");
    expect(alerts(id, eic)[0]!.context.keyType).toBe("ssh-ed25519");
    expect(JSON.stringify(alerts(id, eic)[0]!.context)).not.toContain("AAAAC3Nza");
  });

  it("rolesanywhere.trust-anchor-created: an uploaded CA bundle is high, an ACM Private CA medium", () => {
    const id = "rolesanywhere.trust-anchor-created";
    expect(severity(id, example(id, (r) => r.eventName === "CreateTrustAnchor" && who(r).userName === "mallory"))).toBe("high");
    expect(severity(id, example(id, (r) => JSON.stringify(params(r)).includes("AWS_ACM_PCA")))).toBe("medium");
  });
});

describe("quiet on routine work", () => {
  it("ssm.remote-access-to-instance: an administrator's console or Identity Center session raises nothing, IAM user keys do", () => {
    const id = "ssm.remote-access-to-instance";
    expect(alerts(id, example(id, (r) => r.eventName === "StartSession", "negative"))).toEqual([]);
    expect(severity(id, example(id, (r) => r.eventName === "StartSession"))).toBe("low");
  });

  it("ssm.remote-access-to-instance: commands to many instances in one hour collapse into one alert naming them", () => {
    const id = "ssm.remote-access-to-instance";
    const a = example(id, (r) => r.eventName === "SendCommand" && who(r).userName === "mallory");
    const b = { ...a, eventID: "second", requestParameters: { ...params(a), instanceIds: ["i-0b", "i-0c", "i-0d"] } };
    const [first] = alerts(id, a);
    const [second] = alerts(id, b);
    expect(first!.id).toBe(second!.id);
    expect(second!.context.instances).toEqual(["i-0b", "i-0c", "i-0d"]);
    expect(second!.summary).toMatch(/ran AWS-RunShellScript on 3 instances \(i-0b, i-0c, i-0d\)/);
  });

  it("ec2.unusual-instance-launched: allowedInstanceTypes and own patterns decide what is unusual", () => {
    const id = "ec2.unusual-instance-launched";
    const gpu = example(id, (r) => who(r).userName === "mallory" && !r.errorCode);
    expect(severity(id, gpu, { allowedInstanceTypes: ["p4d.24xlarge"] })).toBe("none");
    const micro = example(id, (r) => params(r).instanceType === "t3.micro", "negative");
    expect(severity(id, micro, { unusualInstanceTypes: ["^t3\\."] })).toBe("medium");
    expect(() => new RuleEngine(catalog, { only: [id], settings: { [id]: { unusualInstanceTypes: [] } } })).toThrow(/unusualInstanceTypes/);
  });

  it("s3.bucket-policy-grants-foreign-account: grants narrowed to the organization or to trusted accounts are quiet", () => {
    const id = "s3.bucket-policy-grants-foreign-account";
    const grant = example(id, (r) => who(r).userName === "mallory");
    expect(alerts(id, grant)[0]!.context).toMatchObject({ accounts: [OUTSIDE], actions: ["s3:GetObject", "s3:ListBucket"] });
    expect(severity(id, grant, { trustedAccounts: [OUTSIDE] })).toBe("none");
    expect(severity(id, example(id, (r) => JSON.stringify(params(r)).includes("aws:PrincipalOrgID"), "negative"))).toBe("none");
  });

  it("s3.ransom-note-uploaded: runbook file names do not match, own patterns replace the defaults", () => {
    const id = "s3.ransom-note-uploaded";
    const note = example(id, (r) => String(params(r).key).includes("RESTORE-YOUR-FILES"));
    expect(severity(id, note)).toBe("high");
    expect(severity(id, note, { notePatterns: ["^decrypt-me\\.txt$"] })).toBe("none");
    const runbook = example(id, (r) => String(params(r).key).includes("how-to-rotate-keys"), "negative");
    expect(severity(id, runbook)).toBe("none");
  });
});

describe("the change audit records every change at info, once per caller and hour", () => {
  const AUDIT = ["iam.configuration-changed", "ec2.firewall-rules-changed", "s3.bucket-configuration-changed", "lambda.permission-added", "s3.objects-batch-deleted"];
  const withSession = (r: Rec, session: string): Rec => ({ ...r, userIdentity: { ...who(r), arn: String(who(r).arn).replace(/[^/]+$/, session) } });

  it("raises info only, never more, for every positive of every change-audit rule", () => {
    for (const id of AUDIT) {
      expect({ id, severities: [...new Set(loadExamples(id)!.positive.flatMap((r) => alerts(id, r as Rec).map((a) => a.severity)))] }).toEqual({ id, severities: ["info"] });
    }
  });

  it("collapses a deployment's IAM changes through CloudFormation into one alert an hour, whatever the run's session name", () => {
    // Prepare: the pipeline attaches a policy in one run, puts a role policy in the next run, and deploys again an hour later.
    const id = "iam.configuration-changed";
    const attach = example(id, (r) => who(r).invokedBy === "cloudformation.amazonaws.com");
    const nextRun = { ...withSession(attach, "github-actions-run-8812399"), eventID: "next-run", eventName: "PutRolePolicy", eventTime: "2026-10-14T10:48:00Z" };
    const nextHour = { ...attach, eventID: "next-hour", eventTime: "2026-10-14T11:02:11Z" };
    // Act
    const a = alerts(id, attach)[0]!;
    const b = alerts(id, nextRun)[0]!;
    const c = alerts(id, nextHour)[0]!;
    // Assess
    expect(a.severity).toBe("info");
    expect(b.id).toBe(a.id);
    expect(c.id).not.toBe(a.id);
    expect(a.summary).toMatch(/changed IAM policy: AttachRolePolicy \(role orders-api-role\) in account 111122223333 through cloudformation\.amazonaws\.com/);
  });

  it("keeps two people on one Identity Center permission set apart", () => {
    const id = "ec2.firewall-rules-changed";
    const maria = example(id, (r) => String(who(r).arn).includes("AWSReservedSSO_"));
    const ahmed = { ...withSession(maria, "ahmed.khan@example.com"), eventID: "ahmed" };
    const mariaAgain = { ...maria, eventID: "maria-again", eventName: "DeleteNetworkAclEntry" };
    expect(alerts(id, ahmed)[0]!.id).not.toBe(alerts(id, maria)[0]!.id);
    expect(alerts(id, mariaAgain)[0]!.id).toBe(alerts(id, maria)[0]!.id);
  });

  it("ignorePrincipals silences a reviewed pipeline in every change-audit rule, and only it", () => {
    const settings = { ignorePrincipals: ["role/ci-deployer$", "role/orders-api-role$"] };
    for (const id of AUDIT) {
      const positives = loadExamples(id)!.positive as Rec[];
      const quiet = positives.filter((r) => /assumed-role\/(ci-deployer|orders-api-role)\//.test(String(who(r).arn)));
      expect({ id, some: quiet.length > 0, rest: positives.length - quiet.length > 0 }).toEqual({ id, some: true, rest: true });
      expect({ id, raised: quiet.flatMap((r) => alerts(id, r, settings)) }).toEqual({ id, raised: [] });
      expect(positives.filter((r) => !quiet.includes(r)).map((r) => severity(id, r, settings))).toEqual(positives.filter((r) => !quiet.includes(r)).map(() => "info"));
    }
    expect(() => new RuleEngine(catalog, { only: [AUDIT[0]!], settings: { [AUDIT[0]!]: { ignorePrincipals: ["role/(ci"] } } })).toThrow(/iam\.configuration-changed.*ignorePrincipals\.0.*not a valid regular expression/);
    expect(() => new RuleEngine(catalog, { only: [AUDIT[0]!], settings: { [AUDIT[0]!]: { ignorePrincipal: [] } } })).toThrow(/ignorePrincipal/);
  });

  it("records a deployer's change, not AWS maintaining what it manages (service-linked roles)", () => {
    expect(alerts("ec2.firewall-rules-changed", example("ec2.firewall-rules-changed", (r) => String(who(r).arn).includes("AWSServiceRoleForAmazonEKS"), "negative"))).toEqual([]);
    expect(alerts("iam.configuration-changed", example("iam.configuration-changed", (r) => String(who(r).arn).includes("AWSServiceRoleForSSO"), "negative"))).toEqual([]);
    expect(severity("lambda.permission-added", example("lambda.permission-added", (r) => who(r).invokedBy === "cloudformation.amazonaws.com"))).toBe("info");
  });
});
