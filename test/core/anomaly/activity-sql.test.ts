import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { resolvePrincipal } from "../../../functions/core/record/principal";
import { activityStatement, principalIdSql } from "../../../functions/core/anomaly/activity-sql";
import { scanPlan } from "../../../functions/core/anomaly/scan-plan";
import { DuckDbActivityQuery, discoverAccounts } from "../../../functions/adapters/local/duckdb-activity";
import { event, identities, writeLogFile, ORG_ID, type Identity } from "./fixture-logs";

const ACCT = "111122223333";
const layout = { type: "organization", organizationId: ORG_ID } as const;
/** Real records written outside this project (Panther's rule tests; licence beside the file). */
const CORPUS = join(__dirname, "../../fixtures/panther/panther_cloudtrail_tests.jsonl");

/** Identities of every type CloudTrail writes, including the awkward shapes real logs have. */
const CASES: [string, Identity | null][] = [
  ["iam-user", identities.user(ACCT, "alice")],
  ["iam-user-no-arn", { type: "IAMUser", principalId: "AIDAX", accountId: ACCT, userName: "bob" }],
  ["iam-user-nothing", { type: "IAMUser" }],
  ["root", identities.root(ACCT)],
  ["root-no-arn", { type: "Root", accountId: ACCT }],
  ["assumed-role", identities.role(ACCT, "ci-deploy")],
  ["assumed-role-path", { type: "AssumedRole", arn: `arn:aws:sts::${ACCT}:assumed-role/app/sess`, sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCT}:role/team/app` } } }],
  ["assumed-role-empty-issuer", { type: "AssumedRole", principalId: "AROAY:sess", arn: `arn:aws:sts::${ACCT}:assumed-role/ops/sess`, sessionContext: { sessionIssuer: {} } }],
  ["assumed-role-no-context", { type: "AssumedRole", principalId: "AROAY:sess", arn: `arn:aws-us-gov:sts::${ACCT}:assumed-role/gov/sess` }],
  ["assumed-role-odd-arn", { type: "AssumedRole", principalId: "AROAZ:sess", arn: "not-an-arn" }],
  ["assumed-role-only-id", { type: "AssumedRole", principalId: "AROAZ:sess" }],
  ["role", { type: "Role", arn: `arn:aws:iam::${ACCT}:role/r`, principalId: "AROAR" }],
  ["federated", { type: "FederatedUser", principalId: `${ACCT}:fed`, arn: `arn:aws:sts::${ACCT}:federated-user/fed`, sessionContext: { sessionIssuer: { type: "IAMUser", arn: `arn:aws:iam::${ACCT}:user/issuer`, userName: "issuer" } } }],
  ["federated-no-issuer", { type: "FederatedUser", principalId: `${ACCT}:fed`, arn: `arn:aws:sts::${ACCT}:federated-user/fed` }],
  ["service", identities.service("ec2.amazonaws.com")],
  ["service-no-invoker", { type: "AWSService" }],
  ["aws-account", { type: "AWSAccount", accountId: "999988887777", principalId: "AIDAOTHER" }],
  ["aws-account-same-id", { type: "AWSAccount", accountId: "999988887777", principalId: "999988887777" }],
  ["aws-account-empty-id", { type: "AWSAccount", accountId: "999988887777", principalId: "" }],
  ["aws-account-only-principal", { type: "AWSAccount", principalId: "999988887777" }],
  ["identity-center", { type: "IdentityCenterUser", accountId: ACCT, onBehalfOf: { userId: "u-123", identityStoreArn: "arn:aws:identitystore::111122223333:identitystore/d-123" }, credentialId: "c" }],
  ["identity-center-bare", { type: "IdentityCenterUser", userName: "carol" }],
  ["saml", { type: "SAMLUser", principalId: "p", userName: "dave@example.com", identityProvider: "arn:aws:iam::111122223333:saml-provider/okta" }],
  ["web-identity", { type: "WebIdentityUser", principalId: "p", userName: "gh", identityProvider: "token.actions.githubusercontent.com" }],
  ["unknown-type", { type: "SomethingNew", arn: "arn:aws:iam::111122223333:thing/x" }],
  ["unknown-type-invoker", { type: "SomethingNew", invokedBy: "svc.amazonaws.com" }],
  ["unknown-type-empty-invoker", { type: "SomethingNew", invokedBy: "" }],
  ["no-type", { principalId: "PID" }],
  ["no-identity", null],
];

describe("the activity SQL's principal expression", () => {
  let root: string;
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "tw-sql-"));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it("gives the same principal id and type as resolvePrincipal for every identity shape", async () => {
    // Prepare: one event per identity, named after its case, all in one delivered file.
    const records = CASES.map(([name, id]) => event({ time: "2026-11-20T10:10:00Z", source: "test.amazonaws.com", name, identity: id }));
    writeLogFile(root, layout, ACCT, "us-east-1", new Date("2026-11-20T10:15:00Z"), records);
    const q = await DuckDbActivityQuery.create(await discoverAccounts([root]), { includeServicePrincipals: true });

    // Act
    const rows = await q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T10:00:00Z"), to: new Date("2026-11-20T11:00:00Z") });
    q.close();

    // Assess: each row is one case (eventName), with resolvePrincipal's answer.
    expect(rows).toHaveLength(CASES.length);
    for (const [name, id] of CASES) {
      const expected = resolvePrincipal(id);
      const row = rows.find((r) => r.eventName === name);
      expect({ name, principal: row?.principal, type: row?.principalType }).toEqual({ name, principal: expected.id, type: expected.type });
    }
  });

  it("agrees with resolvePrincipal on real CloudTrail records written outside this project", async () => {
    // Prepare: every corpus record with the usual (camelCase) keys, in one file per record.
    const lines = readFileSync(CORPUS, "utf8").split("\n").filter(Boolean);
    const events = lines
      .map((l) => (JSON.parse(l) as { event: Record<string, unknown>; event_shape: string }))
      .filter((l) => l.event_shape === "cloudtrail_record")
      .map((l, i): Record<string, unknown> => ({ ...l.event, eventName: `e${i}`, eventSource: "corpus.amazonaws.com", eventTime: "2026-11-21T10:10:00Z", readOnly: null }));
    const dir = mkdtempSync(join(tmpdir(), "tw-corpus-"));
    for (const e of events) writeLogFile(dir, layout, ACCT, "us-east-1", new Date("2026-11-21T10:15:00Z"), [e]);
    const q = await DuckDbActivityQuery.create(await discoverAccounts([dir]), { includeServicePrincipals: true });

    // Act
    const rows = await q.distinctActivity({ account: ACCT, from: new Date("2026-11-21T10:00:00Z"), to: new Date("2026-11-21T11:00:00Z") });
    q.close();
    rmSync(dir, { recursive: true, force: true });

    // Assess
    expect(rows.length).toBe(events.length);
    const byName = new Map(rows.map((r) => [r.eventName, r]));
    const mismatches = events
      .map((e) => ({ name: e.eventName as string, expected: resolvePrincipal(e.userIdentity as never), got: byName.get(e.eventName as string) }))
      .filter((m) => m.got?.principal !== m.expected.id || m.got?.principalType !== m.expected.type)
      .map((m) => `${m.name}: sql ${m.got?.principal}/${m.got?.principalType} vs ts ${m.expected.id}/${m.expected.type}`);
    expect(mismatches).toEqual([]);
  });

  it("differs between Athena and DuckDB only in regexp function spellings", () => {
    const athena = principalIdSql("athena");
    const duck = principalIdSql("duckdb");
    const normalise = (s: string) => s.replace(/regexp_like|regexp_matches/g, "RE_MATCH").replace(/\$(\d)|\\(\d)/g, "<$1$2>");
    expect(normalise(athena)).toBe(normalise(duck));
    expect(athena).toContain("'arn:$1:iam::$2:role/$3'");
  });

  it("keeps every value out of the statement text", () => {
    const plan = scanPlan(ACCT, { from: "2026-11-20T09:45:00.000Z", to: "2026-11-20T11:00:00.000Z" });
    const stmt = activityStatement("athena", { sql: "SELECT * FROM t WHERE account = ?", params: [ACCT] }, plan);
    expect(stmt.sql).not.toContain(ACCT);
    expect(stmt.sql).not.toContain("2026");
    expect(stmt.params).toEqual([ACCT, "2026-11-20T09:45:00Z", "2026-11-20T11:00:00Z"]);
  });
});
