import { CloudTrailClient, GetTrailStatusCommand, LookupEventsCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DetachRolePolicyCommand, DetachUserPolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import {
  CloudTrailEventHistory,
  createRemediators,
  DynamoRemediationLedger,
  ledgerKey,
  MemberAccountRemediators,
  RemediationRunner,
  RemediationTransientError,
  roleKey,
  selfFromCallerIdentity,
  type RemediationRunnerOptions,
  type SelfIdentity,
} from "../../../functions/adapters/aws/remediation";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { ACCOUNT, SELF_ROLE_ARN, attachAdmin, selfIdentity, stopLogging } from "../../handlers/log-analyzer/records";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";
import { awsError, EventHistoryFixture, findingFor, logSource, lookedUp, TEST_NOW, testClients } from "./remediation-fixtures";

const cloudTrail = mockClient(CloudTrailClient);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";
const LEDGER = "remediation-ledger";

/** CloudTrail's event history: what AWS recorded. A record not added here is a forgery. */
let history: EventHistoryFixture;
let db: LocalDynamo;
let ledgerTables = 0;
/** A fresh, empty ledger table per test. */
let ledgerTable: string;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});
beforeEach(async () => {
  cloudTrail.reset();
  iam.reset();
  sts.reset();
  history = new EventHistoryFixture();
  history.answer(cloudTrail);
  iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN }] }).on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN }] });
  iam.on(DetachUserPolicyCommand).resolves({}).on(DetachRolePolicyCommand).resolves({});
  ledgerTable = `${LEDGER}-${++ledgerTables}`;
  await db.createTable(ledgerTable);
});

/** The runner as the remediator wires it: CloudTrail's event history (mocked LookupEvents), the ledger on dynalite, the tests' clock. */
function runner(mode: RemediationMode | undefined, over: Partial<Omit<RemediationRunnerOptions, "self">> & { self?: SelfIdentity | "unknown" } = {}) {
  const { self = { accountId: ACCOUNT, roleArn: SELF_ROLE_ARN }, ...rest } = over;
  return new RemediationRunner({
    modes: mode ? { "test.remediable": mode } : {},
    remediators: createRemediators(testClients()),
    self: async () => (self === "unknown" ? undefined : self),
    eventHistory: new CloudTrailEventHistory((region) => new CloudTrailClient({ region, credentials: { accessKeyId: "TEST", secretAccessKey: "TEST" } })),
    ledger: new DynamoRemediationLedger(db.client, ledgerTable, { now: () => TEST_NOW }),
    now: () => TEST_NOW,
    ...rest,
  });
}

const SOURCE = logSource();
const admin = (rec: Record<string, unknown>) => findingFor(rec, "iam.detach-admin-policy");

describe("RemediationRunner: guards", () => {
  it("is off unless the rule is configured", async () => {
    // Prepare
    const f = admin(history.add(attachAdmin()));
    // Act
    const absent = await runner(undefined).run(f, { source: SOURCE });
    const off = await runner("off").run(f, { source: SOURCE });
    // Assess
    expect(absent).toBeNull();
    expect(off).toBeNull();
    expect(iam.calls()).toHaveLength(0);
    expect(lookedUp(cloudTrail)).toEqual([]);
  });

  it("never acts on a failed call (errorCode), and does not even look it up", async () => {
    const f = admin(history.add(attachAdmin("mallory", { errorCode: "AccessDenied", errorMessage: "not authorized" })));

    const res = await runner("apply").run(f, { source: SOURCE });

    expect(res).toEqual({ action: "iam.detach-admin-policy", mode: "apply", status: "skipped", detail: "the call failed (AccessDenied); nothing changed, so there is nothing to undo" });
    expect(iam.calls()).toHaveLength(0);
    expect(lookedUp(cloudTrail)).toEqual([]);
  });

  it("never remediates an event made by its own role (no remediation loops)", async () => {
    const f = findingFor(history.add(stopLogging(undefined, { userIdentity: selfIdentity() })), "cloudtrail.start-logging");

    const res = await runner("apply").run(f, { source: SOURCE });

    expect(res).toMatchObject({ status: "skipped", detail: expect.stringMatching(/trailwatch's own role/) });
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it("recognises its own role whether it is known with a path or from an STS session ARN", () => {
    const fromSts = selfFromCallerIdentity(ACCOUNT, `arn:aws:sts::${ACCOUNT}:assumed-role/Trailwatch-Log-Analyzer/fn-session`);

    expect(roleKey(`arn:aws:iam::${ACCOUNT}:role/service/trailwatch-log-analyzer`)).toBe(`${ACCOUNT}:trailwatch-log-analyzer`);
    expect(roleKey(fromSts?.roleArn)).toBe(`${ACCOUNT}:trailwatch-log-analyzer`);
    expect(roleKey(`arn:aws:iam::${ACCOUNT}:user/trailwatch-log-analyzer`)).toBeUndefined();
  });

  it("withholds remediation when it cannot tell its own role", async () => {
    const res = await runner("apply", { self: "unknown" }).run(admin(history.add(attachAdmin())), { source: SOURCE });

    expect(res).toMatchObject({ status: "failed", detail: expect.stringMatching(/own role/) });
    expect(iam.calls()).toHaveLength(0);
  });

  it("remediates only its own account without a member role (names in other accounts' events would hit the wrong resource)", async () => {
    const f = admin(history.add(attachAdmin("mallory", { recipientAccountId: "444455556666" })));

    const res = await runner("apply").run(f, { source: logSource("444455556666") });

    expect(res).toMatchObject({ status: "skipped", detail: `the event is in account 444455556666 but this function runs in ${ACCOUNT}; it remediates only its own account` });
    expect(iam.calls()).toHaveLength(0);
  });
});

describe("RemediationRunner: verification against CloudTrail's event history", () => {
  it("plans in dry-run and acts in apply on CloudTrail's copy, saying it was verified, what it found and what it did", async () => {
    // Prepare
    const rec = history.add(attachAdmin("mallory"));
    const f = admin(rec);
    // Act
    const planned = await runner("dry-run").run(f, { source: SOURCE });
    const applied = await runner("apply").run(f, { source: SOURCE });
    // Assess
    expect(planned).toMatchObject({ mode: "dry-run", status: "planned", checks: { verifiedBy: "lookup-events" } });
    expect(applied).toEqual({
      action: "iam.detach-admin-policy",
      mode: "apply",
      status: "succeeded",
      detail: `detached ${ADMIN} from user mallory`,
      checks: { verifiedBy: "lookup-events", found: `${ADMIN} is attached to user mallory`, done: `detached ${ADMIN} from user mallory` },
    });
    expect(lookedUp(cloudTrail)).toEqual([rec.eventID, rec.eventID]);
    expect(cloudTrail.commandCalls(LookupEventsCommand)[0]!.args[0].input).toEqual({ LookupAttributes: [{ AttributeKey: "EventId", AttributeValue: rec.eventID }], MaxResults: 50 });
    expect(await (cloudTrail.commandCalls(LookupEventsCommand)[0]!.thisValue as CloudTrailClient).config.region()).toBe("us-east-1");
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input)).toEqual([{ UserName: "mallory", PolicyArn: ADMIN }]);
  });

  it("marks a forged event (not in the event history) unverified and never acts: transient while retries are left, then unverified", async () => {
    // Prepare: the file says so, AWS never recorded it.
    const f = admin(attachAdmin("break-me"));
    // Act
    const retried = await runner("apply").run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const final = await runner("apply").run(f, { source: SOURCE, retryTransient: false });
    // Assess
    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect((retried as Error).message).toMatch(/is not in CloudTrail's event history \(LookupEvents\) of account 111122223333 in us-east-1 yet/);
    expect(final).toEqual({
      action: "iam.detach-admin-policy",
      mode: "apply",
      status: "skipped",
      detail: expect.stringMatching(/^not remediated: unverified: event .* is not in CloudTrail's event history \(LookupEvents\) of account 111122223333 in us-east-1/),
      checks: { refused: "unverified" },
    });
    expect(iam.calls()).toHaveLength(0);
  });

  it("refuses a file's copy whose request parameters differ from CloudTrail's (another role), acting on neither", async () => {
    // Prepare: AWS recorded an attach to role "sandbox"; the file says "break-glass-admin".
    const genuine = history.add(attachAdmin("x", { eventName: "AttachRolePolicy", requestParameters: { roleName: "sandbox", policyArn: ADMIN } }));
    const forged = { ...genuine, requestParameters: { roleName: "ops-admin", policyArn: ADMIN } };
    // Act
    const res = await runner("apply").run(admin(forged), { source: SOURCE });
    // Assess
    expect(res).toMatchObject({
      status: "skipped",
      checks: { refused: "unverified" },
      detail: expect.stringMatching(/^not remediated: unverified: what the remediation would change differs between the log file's copy and CloudTrail's: the file's copy asks for .*ops-admin.*, CloudTrail's for .*sandbox/),
    });
    expect(iam.calls()).toHaveLength(0);
  });

  it("refuses a copy whose caller, time or outcome differ, naming each difference", async () => {
    // Prepare
    const genuine = history.add(attachAdmin("mallory", { errorCode: "AccessDenied", errorMessage: "no" }));
    const forged = { ...genuine, errorCode: undefined, errorMessage: undefined, eventTime: "2026-11-23T10:59:00Z", userIdentity: { ...(genuine.userIdentity as object), arn: `arn:aws:iam::${ACCOUNT}:user/eve` } };
    // Act
    const res = await runner("apply").run(admin(forged), { source: SOURCE });
    // Assess
    expect(res?.detail).toMatch(/^not remediated: unverified: the log file's copy of event .* differs from CloudTrail's: /);
    expect(res?.detail).toContain('eventTime: the log file says "2026-11-23T10:59:00Z", CloudTrail says');
    expect(res?.detail).toContain(`userIdentity.arn: the log file says "arn:aws:iam::${ACCOUNT}:user/eve", CloudTrail says "arn:aws:iam::${ACCOUNT}:user/alice"`);
    expect(res?.detail).toContain('errorCode: the log file says nothing, CloudTrail says "AccessDenied"');
    expect(iam.calls()).toHaveLength(0);
  });

  it("refuses when the rule does not match CloudTrail's copy (another policy)", async () => {
    const genuine = history.add(attachAdmin("mallory", { requestParameters: { userName: "mallory", policyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" } }));
    const forged = { ...genuine, requestParameters: { userName: "mallory", policyArn: ADMIN } };
    // A rule that (like the catalog's) matches AdministratorAccess only.
    const f = findingFor(forged, "iam.detach-admin-policy");
    const strict = { ...f, rule: { ...f.rule, match: (r: { requestParameters?: Record<string, unknown> | null }) => r.requestParameters?.policyArn === ADMIN } } as typeof f;

    const res = await runner("apply").run(strict, { source: SOURCE });

    expect(res).toMatchObject({ checks: { refused: "unverified" }, detail: expect.stringMatching(/rule test\.remediable does not match CloudTrail's copy of event/) });
    expect(iam.calls()).toHaveLength(0);
  });

  it("retries a throttled lookup as transient, and calls an event it may not look up unverified", async () => {
    // Prepare
    const f = admin(history.add(attachAdmin("mallory")));
    cloudTrail.on(LookupEventsCommand).rejectsOnce(awsError("ThrottlingException", 400, "Rate exceeded")).rejectsOnce(awsError("AccessDeniedException", 403, "not allowed"));
    // Act
    const throttled = await runner("apply").run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const denied = await runner("apply").run(f, { source: SOURCE, retryTransient: true });
    // Assess
    expect(throttled).toBeInstanceOf(RemediationTransientError);
    expect(denied).toMatchObject({ checks: { refused: "unverified" }, detail: expect.stringMatching(/looking up event .* failed: AccessDeniedException: not allowed$/) });
    expect(iam.calls()).toHaveLength(0);
  });
});

describe("RemediationRunner: refusals", () => {
  it("refuses an event older than the age limit, without looking it up (default one hour, configurable)", async () => {
    // Prepare: TEST_NOW is 11:00; this event is from 09:30.
    const f = admin(history.add(attachAdmin("mallory", { eventTime: "2026-11-23T09:30:00Z" })));
    // Act
    const stale = await runner("apply").run(f, { source: SOURCE });
    const longer = await runner("apply", { maxEventAgeMs: 2 * 3600_000 }).run(f, { source: SOURCE });
    const future = await runner("apply").run(admin(history.add(attachAdmin("mallory", { eventTime: "2026-11-23T12:00:00Z" }))), { source: SOURCE });
    // Assess
    expect(stale).toEqual({
      action: "iam.detach-admin-policy",
      mode: "apply",
      status: "skipped",
      detail: "not remediated: stale: the event is 90 min old (at 2026-11-23T09:30:00Z); events older than 60 min are never remediated",
      checks: { refused: "stale" },
    });
    expect(longer).toMatchObject({ status: "succeeded" });
    expect(future).toMatchObject({ checks: { refused: "stale" }, detail: expect.stringMatching(/is 60 min in the future/) });
    expect(lookedUp(cloudTrail)).toHaveLength(1);
  });

  it("refuses an event whose account is not the account segment of its log object's key, in both layouts", async () => {
    // Prepare
    const f = admin(history.add(attachAdmin("mallory")));
    const org = { bucket: "org-trail-logs", key: `AWSLogs/o-a1b2c3d4e5/${ACCOUNT}/CloudTrail/us-east-1/2026/11/23/x.json.gz` };
    const otherOrgAccount = { bucket: "org-trail-logs", key: "AWSLogs/o-a1b2c3d4e5/999988887777/CloudTrail/us-east-1/2026/11/23/x.json.gz" };
    const noSegment = { bucket: "org-trail-logs", key: "uploads/x.json.gz" };
    // Act
    const wrong = await runner("apply").run(f, { source: logSource("999988887777") });
    const wrongOrg = await runner("apply").run(f, { source: otherOrgAccount });
    const none = await runner("apply").run(f, { source: noSegment });
    const right = await runner("dry-run").run(f, { source: org });
    // Assess
    expect(wrong).toMatchObject({ checks: { refused: "account-mismatch" }, detail: expect.stringMatching(/^not remediated: account-mismatch: the event's account 111122223333 is not the account 999988887777 of the log object s3:\/\/org-trail-logs\/AWSLogs\/999988887777\//) });
    expect(wrongOrg).toMatchObject({ checks: { refused: "account-mismatch" } });
    expect(none).toMatchObject({ checks: { refused: "account-mismatch" }, detail: expect.stringMatching(/has no AWSLogs\/<account>\/ .* segment/) });
    expect(right).toMatchObject({ status: "planned" });
    expect(iam.calls()).toHaveLength(0);
  });

  it("never changes a protected target: the built-in break-glass and landing-zone roles, configured patterns and trailwatch's own roles", async () => {
    // Prepare
    const attachTo = (role: string) => admin(history.add(attachAdmin("x", { eventName: "AttachRolePolicy", requestParameters: { roleName: role, policyArn: ADMIN } })));
    const run = runner("apply", { protectedTargets: ["arn:*:iam::*:role/prod-*"], ownRoles: [`arn:aws:iam::${ACCOUNT}:role/trailwatch-remediator`] });
    // Act
    const results = await Promise.all(
      ["OrganizationAccountAccessRole", "AWSControlTowerExecution", "ops-break-glass", "prod-deployer", "trailwatch-remediator", "trailwatch-log-analyzer"].map((r) => run.run(attachTo(r), { source: SOURCE })),
    );
    const other = await run.run(attachTo("sandbox"), { source: SOURCE });
    // Assess
    expect(results.map((r) => r?.checks)).toEqual(Array(6).fill({ verifiedBy: "lookup-events", refused: "protected-target" }));
    expect(results[0]!.detail).toBe(
      `not remediated: protected-target: role OrganizationAccountAccessRole is protected (arn:aws:iam::${ACCOUNT}:role/OrganizationAccountAccessRole matches the protected target pattern arn:*:iam::*:role/OrganizationAccountAccessRole); it is never changed automatically`,
    );
    expect(results[3]!.detail).toContain("pattern arn:*:iam::*:role/prod-*");
    expect(other).toMatchObject({ status: "succeeded" });
    expect(iam.commandCalls(DetachRolePolicyCommand).map((c) => c.args[0].input.RoleName)).toEqual(["sandbox"]);
  });
});

describe("RemediationRunner: the ledger (each event once)", () => {
  it("remediates an event once: a copy under another key is refused as already remediated, a retry of the same object reports the earlier outcome", async () => {
    // Prepare
    const f = admin(history.add(attachAdmin("mallory")));
    const run = runner("apply");
    // Act
    const first = await run.run(f, { source: SOURCE });
    const copy = await run.run(f, { source: logSource(ACCOUNT, "copied") });
    const retry = await runner("apply").run(f, { source: SOURCE });
    // Assess
    expect(first).toMatchObject({ status: "succeeded" });
    expect(copy).toMatchObject({
      status: "skipped",
      checks: { verifiedBy: "lookup-events", refused: "already-remediated" },
      detail: expect.stringMatching(new RegExp(`^not remediated: already-remediated: trailwatch handled event ${f.record.eventID} at 2026-11-23T11:00:00.000Z \\(read from s3://org-trail-logs/.*_genuine.json.gz; succeeded\\)`)),
    });
    expect(retry).toMatchObject({ status: "succeeded", detail: expect.stringMatching(/\(done at .* on an earlier attempt for this log file; not done again\)$/), checks: first!.checks });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
    const item = await db.client.send(new GetItemCommand({ TableName: ledgerTable, Key: { pk: { S: ledgerKey(f.record.eventID!) } } }));
    // Kept for the age limit plus a day: by then no copy of the event can pass the age check.
    expect(item.Item).toMatchObject({ state: { S: "done" }, action: { S: "iam.detach-admin-policy" }, expiresAt: { N: String(Date.parse("2026-11-24T12:00:00Z") / 1000) } });
  });

  it("records a re-check that found nothing to do, so a later copy does not act either", async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [] });
    const f = admin(history.add(attachAdmin("mallory")));

    const res = await runner("apply").run(f, { source: SOURCE });
    const later = await runner("apply").run(f, { source: logSource(ACCOUNT, "later") });

    expect(res).toMatchObject({ status: "skipped", checks: { verifiedBy: "lookup-events", found: `${ADMIN} is not attached to user mallory` } });
    expect(later).toMatchObject({ checks: { refused: "already-remediated" } });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
  });

  it("gives the claim back after a transient failure, so the retry acts", async () => {
    // Prepare
    iam.on(DetachUserPolicyCommand).rejectsOnce(awsError("Throttling", 400, "Rate exceeded")).resolves({});
    const f = admin(history.add(attachAdmin("mallory")));
    // Act
    const first = await runner("apply").run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const retry = await runner("apply").run(f, { source: SOURCE, retryTransient: true });
    // Assess
    expect(first).toBeInstanceOf(RemediationTransientError);
    expect(retry).toMatchObject({ status: "succeeded" });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(2);
  });

  it("does not act in apply mode without a ledger", async () => {
    const res = await runner("apply", { ledger: undefined }).run(admin(history.add(attachAdmin("mallory"))), { source: SOURCE });

    expect(res).toMatchObject({ status: "failed", detail: expect.stringMatching(/^no remediation ledger is configured/) });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
  });

  it("rethrows a transient failure of the remediation while retries are wanted, then reports it as failed", async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).rejects(awsError("ThrottlingException", 400, "Rate exceeded"));
    const f = findingFor(history.add(stopLogging()), "cloudtrail.start-logging");

    const retried = await runner("apply").run(f, { source: SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const final = await runner("apply").run(f, { source: SOURCE, retryTransient: false });

    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect(final).toMatchObject({ status: "failed", detail: expect.stringMatching(/ThrottlingException: Rate exceeded \(gave up retrying\)/) });
  });
});

describe("RemediationRunner with a member-account role", () => {
  const MEMBER = "444455556666";
  const MEMBER_ROLE = "trailwatch-remediation";
  const MEMBER_SOURCE = logSource(MEMBER);
  const memberTrail = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/member-trail`;
  /** An IAM user of the member account, the actor of its events. */
  const memberUser = { type: "IAMUser", principalId: "AIDAMEMBER", arn: `arn:aws:iam::${MEMBER}:user/bob`, accountId: MEMBER, userName: "bob" };
  const inMember = (over: Record<string, unknown> = {}) => ({ recipientAccountId: MEMBER, userIdentity: memberUser, ...over });

  /** A session of the member role in `account`, as CloudTrail records the caller. */
  function memberRoleSession(account: string, roleName = MEMBER_ROLE): Record<string, unknown> {
    const roleArn = `arn:aws:iam::${account}:role/${roleName}`;
    return {
      type: "AssumedRole",
      principalId: "AROAMEMBER:trailwatch-remediator",
      arn: `arn:aws:sts::${account}:assumed-role/${roleName}/trailwatch-remediator`,
      accountId: account,
      sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAMEMBER", arn: roleArn, accountId: account, userName: roleName } },
    };
  }

  /** Clients built by the member accounts, with the credentials each was given. */
  function memberRunner(mode: RemediationMode, opts: { externalId?: string } = {}) {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: `ASIA-${input.RoleArn.split(":")[4]}`, SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(Date.now() + 900_000) },
    }));
    const member = new MemberAccountRemediators({
      roleName: MEMBER_ROLE,
      ...opts,
      partition: "aws",
      sts: new STSClient({ region: "us-east-1", credentials: { accessKeyId: "FN", secretAccessKey: "FN" } }),
      remediatorsFor: (credentials) =>
        createRemediators({
          ...testClients(),
          cloudTrail: (region) => new CloudTrailClient({ region, credentials }),
          iam: () => new IAMClient({ region: "us-east-1", credentials }),
        }),
      eventHistoryFor: (credentials) => new CloudTrailEventHistory((region) => new CloudTrailClient({ region, credentials })),
    });
    return runner(mode, { memberAccounts: member });
  }

  /** The access key of the credentials the client of a mocked call was built with (a mocked call is never signed). */
  async function keyOfCall(call: { thisValue: unknown }): Promise<string> {
    const client = call.thisValue as { config: { credentials: () => Promise<{ accessKeyId: string }> } };
    return (await client.config.credentials()).accessKeyId;
  }

  it("verifies and remediates an event of a member account there, with clients signing with the member role's credentials", async () => {
    // Prepare
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).resolves({});
    const f = findingFor(history.add(stopLogging(memberTrail, inMember({ awsRegion: "eu-west-1" }))), "cloudtrail.start-logging");
    // Act
    const res = await memberRunner("apply", { externalId: "acme-trailwatch" }).run(f, { source: MEMBER_SOURCE });
    // Assess
    expect(res).toMatchObject({ action: "cloudtrail.start-logging", mode: "apply", status: "succeeded", detail: `started logging on trail ${memberTrail} in eu-west-1`, checks: { verifiedBy: "lookup-events" } });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`, RoleSessionName: "trailwatch-remediator", DurationSeconds: 900, ExternalId: "acme-trailwatch" },
    ]);
    const calls = cloudTrail.calls();
    expect(calls.map((c) => c.args[0].constructor.name)).toEqual(["LookupEventsCommand", "GetTrailStatusCommand", "StartLoggingCommand"]);
    expect(await Promise.all(calls.map(keyOfCall))).toEqual([`ASIA-${MEMBER}`, `ASIA-${MEMBER}`, `ASIA-${MEMBER}`]);
    expect(await (calls[0]!.thisValue as CloudTrailClient).config.region()).toBe("eu-west-1");
  });

  it("keeps using its own clients for its own account, without assuming any role", async () => {
    const res = await memberRunner("apply").run(admin(history.add(attachAdmin("mallory"))), { source: SOURCE });

    expect(res).toMatchObject({ status: "succeeded" });
    expect(await keyOfCall(iam.call(0))).toBe("TEST");
    expect(await keyOfCall(cloudTrail.call(0))).toBe("TEST");
    expect(sts.calls()).toHaveLength(0);
  });

  it("assumes the role once per account across findings", async () => {
    const run = memberRunner("apply");

    await run.run(admin(history.add(attachAdmin("mallory", inMember()))), { source: MEMBER_SOURCE });
    await run.run(admin(history.add(attachAdmin("eve", inMember()))), { source: MEMBER_SOURCE });

    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input.UserName)).toEqual(["mallory", "eve"]);
  });

  it("verifies in the member account in dry-run too (it assumes the role, reads the event history, changes nothing)", async () => {
    const res = await memberRunner("dry-run").run(admin(history.add(attachAdmin("mallory", inMember()))), { source: MEMBER_SOURCE });

    expect(res).toMatchObject({ mode: "dry-run", status: "planned", detail: expect.stringMatching(/iam:DetachUserPolicy .*mallory/), checks: { verifiedBy: "lookup-events" } });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(iam.calls()).toHaveLength(0);
  });

  it("marks a member account's event unverified when that account's event history does not have it", async () => {
    const res = await memberRunner("apply").run(admin(attachAdmin("mallory", inMember())), { source: MEMBER_SOURCE });

    expect(res).toMatchObject({ checks: { refused: "unverified" }, detail: expect.stringMatching(/event history \(LookupEvents\) of account 444455556666 in us-east-1/) });
    expect(iam.calls()).toHaveLength(0);
  });

  it("reports a role it cannot assume as a failed remediation naming the account and the role", async () => {
    // Prepare
    const run = memberRunner("apply");
    sts.on(AssumeRoleCommand).rejects(awsError("AccessDenied", 403, "not authorized to perform: sts:AssumeRole"));
    // Act
    const res = await run.run(admin(history.add(attachAdmin("mallory", inMember()))), { source: MEMBER_SOURCE, retryTransient: true });
    // Assess
    expect(res).toEqual({
      action: "iam.detach-admin-policy",
      mode: "apply",
      status: "failed",
      detail: expect.stringMatching(new RegExp(`^could not assume the member role arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE} in account ${MEMBER}: AccessDenied: .*missing in that account`)),
    });
    expect(iam.calls()).toHaveLength(0);
  });

  it("treats STS throttling like any transient failure: rethrown while retrying, then failed", async () => {
    const run = memberRunner("apply");
    sts.on(AssumeRoleCommand).rejects(awsError("Throttling", 400, "Rate exceeded"));
    const f = admin(history.add(attachAdmin("mallory", inMember())));

    const retried = await run.run(f, { source: MEMBER_SOURCE, retryTransient: true }).catch((e: unknown) => e);
    const final = await run.run(f, { source: MEMBER_SOURCE });

    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect(final).toMatchObject({ status: "failed", detail: expect.stringMatching(/Throttling: Rate exceeded \(gave up retrying\)$/) });
  });

  it("never remediates what the member role's sessions did, and never changes the member role itself", async () => {
    // Prepare
    const run = memberRunner("apply");
    // Act
    const there = await run.run(findingFor(history.add(stopLogging(memberTrail, inMember({ userIdentity: memberRoleSession(MEMBER) }))), "cloudtrail.start-logging"), { source: MEMBER_SOURCE });
    const here = await run.run(findingFor(history.add(stopLogging(undefined, { userIdentity: memberRoleSession(ACCOUNT, "Trailwatch-Remediation") })), "cloudtrail.start-logging"), { source: SOURCE });
    const target = await run.run(admin(history.add(attachAdmin("x", inMember({ eventName: "AttachRolePolicy", requestParameters: { roleName: MEMBER_ROLE, policyArn: ADMIN } })))), { source: MEMBER_SOURCE });
    // Assess
    expect(there).toMatchObject({ status: "skipped", detail: `the event was made by trailwatch's member-account role (${MEMBER_ROLE} in account ${MEMBER}); its own actions are never remediated` });
    expect(here).toMatchObject({ status: "skipped", detail: expect.stringContaining(`member-account role (${MEMBER_ROLE} in account ${ACCOUNT})`) });
    expect(target).toMatchObject({ checks: { refused: "protected-target" }, detail: expect.stringContaining(`pattern arn:*:iam::*:role/${MEMBER_ROLE}`) });
    expect(iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(0);
  });

  it("keeps the other guards for member accounts: a failed call is never remediated", async () => {
    const res = await memberRunner("apply").run(admin(history.add(attachAdmin("mallory", inMember({ errorCode: "AccessDenied" })))), { source: MEMBER_SOURCE });

    expect(res).toMatchObject({ status: "skipped", detail: expect.stringMatching(/^the call failed/) });
    expect(sts.calls()).toHaveLength(0);
  });
});
