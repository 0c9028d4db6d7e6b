import { Logger } from "@aws-lambda-powertools/logger";
import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { EC2Client, RevokeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import { DetachUserPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { CloudTrailEventHistory, createRemediators, DynamoRemediationLedger, LambdaRemediationRunner, RemediationRunner } from "../../../functions/adapters/aws/remediation";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { catalog } from "../../../functions/core/rules/catalog";
import { remediableRules } from "../../../functions/core/rules/catalog/remediable";
import { createRemediator, handler, RemediationRequestError, remediatorConfig, remediatorFromEnvironment } from "../../../functions/handlers/remediator";
import { awsError, EventHistoryFixture, logSource, MOTO_CREDENTIALS, startRemediationS3, TEST_NOW, testClients, type RemediationS3 } from "../../adapters/aws/remediation-fixtures";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";
import { startFaultInjector, type FaultInjector } from "../../support/s3rver";
import { ACCOUNT, SELF_ROLE_ARN as ANALYZER_ROLE_ARN, attachAdmin, authorizeIngress, deletePublicAccessBlock, record, selfIdentity, stopLogging } from "../log-analyzer/records";

const cloudTrail = mockClient(CloudTrailClient);
const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);
const sts = mockClient(STSClient);
/** S3 (Block Public Access) is moto's, behind a proxy that checks the expected owner. */
let s3: RemediationS3;
/** The remediation ledger (dynalite). */
let db: LocalDynamo;
const LEDGER_TABLE = "trailwatch-remediation-ledger";
/** CloudTrail's event history: the records the tests treat as genuine. */
let history: EventHistoryFixture;
const SOURCE = logSource();
/** The record dated now: the handler's clock is the real one (the age limit is an hour). */
const fresh = (r: Record<string, unknown>) => ({ ...r, eventTime: new Date(Date.now() - 60_000).toISOString().replace(/\.\d{3}Z$/, "Z") });

beforeAll(async () => {
  s3 = await startRemediationS3(["customer-data"]);
  db = await startDynalite();
  await db.createTable(LEDGER_TABLE);
});
afterAll(async () => {
  await s3?.stop();
  await db?.stop();
});

const REMEDIATOR_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/trailwatch-remediator`;
const TRAIL = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`;
const LOGGING_STOPPED = "cloudtrail.logging-stopped";

beforeEach(async () => {
  for (const m of [cloudTrail, iam, ec2, sts]) m.reset();
  await s3.clearPublicAccessBlocks();
  history = new EventHistoryFixture();
  history.answer(cloudTrail);
  cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).resolves({});
});

const logger = new Logger({ serviceName: "remediator", logLevel: "SILENT" });

/** The remediator as the handler wires it, with test clients and a known own role. */
function remediator(modes: Record<string, RemediationMode>, ruleSettings: Record<string, unknown> = {}) {
  return createRemediator({
    catalog,
    ruleSettings,
    modes,
    runner: new RemediationRunner({
      modes,
      remediators: createRemediators(testClients({ s3: s3.clients() })),
      self: async () => ({ accountId: ACCOUNT, roleArn: REMEDIATOR_ROLE_ARN }),
      ownRoles: [ANALYZER_ROLE_ARN],
      eventHistory: new CloudTrailEventHistory((region) => new CloudTrailClient({ region, credentials: { accessKeyId: "T", secretAccessKey: "T" } })),
      ledger: new DynamoRemediationLedger(db.client, LEDGER_TABLE, { now: () => TEST_NOW }),
      now: () => TEST_NOW,
    }),
    logger,
  });
}

/** A session of `roleArn`, as CloudTrail records the caller. */
function sessionOf(roleArn: string): Record<string, unknown> {
  const name = roleArn.split("/").pop()!;
  return {
    type: "AssumedRole",
    principalId: `AROAOTHER:${name}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${name}/${name}`,
    accountId: ACCOUNT,
    sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAOTHER", arn: roleArn, accountId: ACCOUNT, userName: name } },
  };
}

describe("remediator", () => {
  it("rebuilds the finding from the record with the catalog rule and applies its remediation", async () => {
    // Act
    const res = await remediator({ [LOGGING_STOPPED]: "apply" })({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL)), source: SOURCE, retryTransient: true });
    // Assess
    expect(res).toEqual({
      action: "cloudtrail.start-logging",
      mode: "apply",
      status: "succeeded",
      detail: `started logging on trail ${TRAIL} in us-east-1`,
      checks: { verifiedBy: "lookup-events", found: `trail ${TRAIL} is not logging`, done: `started logging on trail ${TRAIL} in us-east-1` },
    });
    expect(cloudTrail.commandCalls(StartLoggingCommand).map((c) => c.args[0].input)).toEqual([{ Name: TRAIL }]);
  });

  it("runs each catalog remediation in dry-run without touching anything", async () => {
    // Prepare
    const modes = { "iam.admin-policy-attached": "dry-run", "s3.bucket-made-public": "dry-run", "ec2.security-group-open-to-world": "dry-run" } as const;
    const run = remediator(modes);
    const s3Requests = s3.proxy.requests.length;
    // Act
    const admin = await run({ ruleId: "iam.admin-policy-attached", record: history.add(attachAdmin("mallory") ), source: SOURCE});
    const pab = await run({ ruleId: "s3.bucket-made-public", record: history.add(deletePublicAccessBlock("customer-data") ), source: SOURCE});
    const ingress = await run({ ruleId: "ec2.security-group-open-to-world", record: history.add(authorizeIngress("sg-0123456789abcdef0", [["tcp", 22, 22, ["0.0.0.0/0"]]], { ruleIds: ["sgr-0aaa"] }) ), source: SOURCE});
    // Assess
    expect(admin).toMatchObject({ action: "iam.detach-admin-policy", mode: "dry-run", status: "planned", detail: expect.stringMatching(/iam:DetachUserPolicy .*mallory/) });
    expect(pab).toMatchObject({ action: "s3.restore-public-access-block", mode: "dry-run", status: "planned" });
    expect(ingress).toMatchObject({ action: "ec2.revoke-world-open-ingress", mode: "dry-run", status: "planned" });
    for (const m of [iam, ec2]) expect(m.calls()).toHaveLength(0);
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(0);
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(s3.proxy.requests.slice(s3Requests)).toEqual([]);
  });

  it("applies the S3 remediation: the bucket of the record gets all four Block Public Access settings", async () => {
    // Prepare
    const run = remediator({ "s3.bucket-made-public": "apply" });
    // Act
    const res = await run({ ruleId: "s3.bucket-made-public", record: history.add(deletePublicAccessBlock("customer-data")), source: SOURCE, retryTransient: true });
    // Assess
    expect(res).toMatchObject({ action: "s3.restore-public-access-block", mode: "apply", status: "succeeded" });
    expect(await s3.publicAccessBlock("customer-data")).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
  });

  it("skips, with the reason, a record its rule does not match, so a request cannot steer it to something else", async () => {
    // Prepare
    const run = remediator({ [LOGGING_STOPPED]: "apply", "ec2.security-group-open-to-world": "apply" }, { "ec2.security-group-open-to-world": { allowedPorts: [443] } });
    // Act
    const other = await run({ ruleId: LOGGING_STOPPED, record: history.add(record({ eventSource: "cloudtrail.amazonaws.com", eventName: "StartLogging", requestParameters: { name: TRAIL } }) ), source: SOURCE});
    const allowed = await run({ ruleId: "ec2.security-group-open-to-world", record: history.add(authorizeIngress("sg-0123456789abcdef0", [["tcp", 443, 443, ["0.0.0.0/0"]]]) ), source: SOURCE});
    const notARecord = await run({ ruleId: LOGGING_STOPPED, record: { eventName: "StopLogging" }, source: SOURCE });
    // Assess
    expect(other).toEqual({ action: "cloudtrail.start-logging", mode: "apply", status: "skipped", detail: `rule ${LOGGING_STOPPED} does not match the record; not remediating` });
    expect(allowed).toMatchObject({ status: "skipped", detail: "rule ec2.security-group-open-to-world does not match the record; not remediating" });
    expect(notARecord).toMatchObject({ status: "skipped", detail: expect.stringMatching(/not a CloudTrail record \(eventSource is missing/) });
    expect(cloudTrail.calls()).toHaveLength(0);
    expect(ec2.calls()).toHaveLength(0);
  });

  it("never remediates events made by the analyzer's role or its own (no remediation loops)", async () => {
    // Prepare
    const run = remediator({ [LOGGING_STOPPED]: "apply" });
    // Act
    const byAnalyzer = await run({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL, { userIdentity: selfIdentity() }) ), source: SOURCE});
    const byItself = await run({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL, { userIdentity: sessionOf(REMEDIATOR_ROLE_ARN) }) ), source: SOURCE});
    // Assess
    expect(byAnalyzer).toMatchObject({ status: "skipped", detail: expect.stringContaining(`own role (${ANALYZER_ROLE_ARN})`) });
    expect(byItself).toMatchObject({ status: "skipped", detail: expect.stringContaining(`own role (${REMEDIATOR_ROLE_ARN})`) });
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it("keeps the other guards: off unless configured, never a failed call (the rule ignores it), never another account", async () => {
    // Prepare
    const run = remediator({ [LOGGING_STOPPED]: "apply" });
    // Act
    const off = await remediator({})({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL) ), source: SOURCE});
    const failedCall = await run({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL, { errorCode: "AccessDenied", errorMessage: "no" }) ), source: SOURCE});
    const elsewhere = await run({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL, { recipientAccountId: "444455556666", userIdentity: { type: "IAMUser", principalId: "AIDA", arn: "arn:aws:iam::444455556666:user/bob", accountId: "444455556666" } }) ), source: logSource("444455556666")});
    // Assess
    expect(off).toBeNull();
    expect(failedCall).toMatchObject({ status: "skipped", detail: `rule ${LOGGING_STOPPED} does not match the record; not remediating` });
    expect(elsewhere).toMatchObject({ status: "skipped", detail: expect.stringMatching(/in account 444455556666/) });
    expect(cloudTrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it("answers a transient failure as { transient } while the caller retries, and as failed on its last try", async () => {
    // Prepare
    cloudTrail.on(StartLoggingCommand).rejects(awsError("ThrottlingException", 400, "Rate exceeded"));
    const run = remediator({ [LOGGING_STOPPED]: "apply" });
    // Act
    const retry = await run({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL)), source: SOURCE, retryTransient: true });
    const last = await run({ ruleId: LOGGING_STOPPED, record: history.add(stopLogging(TRAIL)), source: SOURCE, retryTransient: false });
    // Assess
    expect(retry).toEqual({ transient: true, message: expect.stringMatching(/cloudtrail:StartLogging .* failed: ThrottlingException: Rate exceeded/) });
    expect(last).toMatchObject({ status: "failed", detail: expect.stringMatching(/\(gave up retrying\)$/) });
  });

  it("rejects a malformed request, naming what is wrong", async () => {
    // Prepare
    const run = remediator({ [LOGGING_STOPPED]: "apply" });
    // Act
    const cases = await Promise.all(
      [
        { record: stopLogging(TRAIL) },
        { ruleId: LOGGING_STOPPED, record: "StopLogging" },
        { ruleId: "cloudtrail.no-such-rule", record: stopLogging(TRAIL), source: SOURCE },
        { ruleId: "ssm.plaintext-secret-parameter", record: stopLogging(TRAIL), source: SOURCE },
        { ruleId: LOGGING_STOPPED, record: stopLogging(TRAIL) },
        { ruleId: LOGGING_STOPPED, record: stopLogging(TRAIL), source: { bucket: "b", key: "k".repeat(2000) } },
      ].map((req) => run(req).catch((e: unknown) => e)),
    );
    // Assess
    expect(cases.every((e) => e instanceof RemediationRequestError)).toBe(true);
    expect(cases.map((e) => (e as Error).message)).toEqual([
      expect.stringMatching(/^remediator: bad request: ruleId: /),
      expect.stringMatching(/^remediator: bad request: record: /),
      'remediator: bad request: ruleId: no such rule "cloudtrail.no-such-rule"',
      'remediator: bad request: ruleId: rule "ssm.plaintext-secret-parameter" has no remediation',
      "remediator: bad request: source: must name the log object the record was read from: { bucket, key }",
      expect.stringMatching(/^remediator: bad request: source\.bucket: .*; source\.key: /),
    ]);
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it("answers the analyzer's Lambda runner end to end: the analyzer's finding is remediated by the remediator", async () => {
    // Prepare
    const modes = { [LOGGING_STOPPED]: "apply" } as const;
    const run = remediator(modes);
    // Lambda Invoke (no local Lambda exists) runs the remediator on the JSON the runner sends, as Lambda would.
    const client = new LambdaClient({ region: "us-east-1", credentials: MOTO_CREDENTIALS });
    const lambda = mockClient(client);
    lambda.on(InvokeCommand, { FunctionName: "tw-remediator", InvocationType: "RequestResponse" }).callsFake(async (input: { Payload: Uint8Array }) => {
      const out = await run(JSON.parse(new TextDecoder().decode(input.Payload)));
      return { StatusCode: 200, Payload: new TextEncoder().encode(JSON.stringify(out ?? null)) };
    });
    const ev = new RuleEngine(catalog).evaluate(history.add(stopLogging(TRAIL)) as { eventSource: string; eventName: string });
    const finding = ev.kind === "findings" ? ev.findings[0]! : undefined;
    const runner = new LambdaRemediationRunner({ lambda: client, functionName: "tw-remediator", modes });
    try {
      // Act
      const res = await runner.run(finding!, { source: SOURCE, retryTransient: true });
      // Assess
      expect(res).toMatchObject({ action: "cloudtrail.start-logging", mode: "apply", status: "succeeded" });
      expect(cloudTrail.commandCalls(StartLoggingCommand)).toHaveLength(1);
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    } finally {
      lambda.restore();
    }
  });
});

describe("remediator configuration and handler", () => {
  const ENV = {
    AWS_REGION: "us-east-1",
    REMEDIATION: JSON.stringify({ [LOGGING_STOPPED]: "apply" }),
    FUNCTION_ROLE_ARN: REMEDIATOR_ROLE_ARN,
    TRIGGER_ROLE_ARNS: ANALYZER_ROLE_ARN,
    REMEDIATION_LEDGER_TABLE: LEDGER_TABLE,
  };

  it("reads the trigger roles, keeps the remediable rules' settings, and rejects a bad environment with every reason", () => {
    // Act
    const cfg = remediatorConfig(remediableRules, { ...ENV, RULE_SETTINGS: JSON.stringify({ "ssm.plaintext-secret-parameter": { allowNames: ["x"] } }) });
    const unknown = (() => {
      try {
        remediatorConfig(remediableRules, { ...ENV, REMEDIATION: '{"ssm.plaintext-secret-parameter": "apply"}' });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    const bad = (() => {
      try {
        remediatorConfig(remediableRules, { AWS_REGION: "us-east-1", REMEDIATION: '{"ssm.plaintext-secret-parameter": "apply"}', TRIGGER_ROLE_ARNS: "arn:aws:iam::1:user/x" });
      } catch (e) {
        return (e as Error).message;
      }
    })();
    // Assess
    expect(cfg).toEqual({
      region: "us-east-1",
      ruleSettings: {},
      remediation: { [LOGGING_STOPPED]: "apply" },
      functionRoleArn: REMEDIATOR_ROLE_ARN,
      triggerRoleArns: [ANALYZER_ROLE_ARN],
      ledgerTable: LEDGER_TABLE,
      maxEventAgeMinutes: 60,
      protectedTargets: [],
    });
    expect(bad).toMatch(/^remediator: invalid environment: FUNCTION_ROLE_ARN: is required but not set; TRIGGER_ROLE_ARNS\.0: must be IAM role ARNs/);
    // Settings of rules without a remediation are the analyzer's to check; REMEDIATION may only name remediable rules.
    expect(unknown).toMatch(/^remediator: invalid environment: REMEDIATION\.ssm\.plaintext-secret-parameter: not one of the rules with a remediation \(/);
  });

  it("reads the safety settings (ledger table, age limit, protected targets) and says what is wrong with them", () => {
    // Prepare
    const bad = (env: Record<string, string | undefined>) => {
      try {
        remediatorConfig(remediableRules, { ...ENV, ...env });
      } catch (e) {
        return (e as Error).message;
      }
    };
    // Act
    const set = remediatorConfig(remediableRules, { ...ENV, MAX_EVENT_AGE_MINUTES: "30", PROTECTED_TARGETS: '["arn:*:iam::*:role/prod-*"]' });
    const dryRun = remediatorConfig(remediableRules, { ...ENV, REMEDIATION: JSON.stringify({ [LOGGING_STOPPED]: "dry-run" }), REMEDIATION_LEDGER_TABLE: undefined });
    // Assess
    expect([set.maxEventAgeMinutes, set.protectedTargets, set.ledgerTable]).toEqual([30, ["arn:*:iam::*:role/prod-*"], LEDGER_TABLE]);
    expect(dryRun.ledgerTable).toBeUndefined();
    expect(bad({ REMEDIATION_LEDGER_TABLE: undefined })).toBe(
      `remediator: invalid environment: REMEDIATION_LEDGER_TABLE: is not set but REMEDIATION applies ${LOGGING_STOPPED}; the ledger keeps an event from being remediated twice (set it to the remediation ledger table)`,
    );
    expect(bad({ MAX_EVENT_AGE_MINUTES: "1" })).toMatch(/MAX_EVENT_AGE_MINUTES: must be at least 5 minutes/);
    expect(bad({ MAX_EVENT_AGE_MINUTES: "20000" })).toMatch(/MAX_EVENT_AGE_MINUTES: must be at most 10080 minutes/);
    expect(bad({ PROTECTED_TARGETS: '["break-glass"]' })).toMatch(/PROTECTED_TARGETS\.0: is not an ARN pattern/);
    expect(bad({ PROTECTED_TARGETS: "arn:*:iam::*:role/x" })).toMatch(/PROTECTED_TARGETS: is not valid JSON .* expected a JSON array of ARN patterns/);
  });

  it("reads the member-account role and its external id, and says what is wrong with them", () => {
    // Act
    const none = remediatorConfig(remediableRules, ENV);
    const blank = remediatorConfig(remediableRules, { ...ENV, MEMBER_ROLE_NAME: " ", MEMBER_ROLE_EXTERNAL_ID: "" });
    const member = remediatorConfig(remediableRules, { ...ENV, MEMBER_ROLE_NAME: "trailwatch-remediation", MEMBER_ROLE_EXTERNAL_ID: "acme-trailwatch" });
    const bad = (env: Record<string, string>) => {
      try {
        remediatorConfig(remediableRules, { ...ENV, ...env });
      } catch (e) {
        return (e as Error).message;
      }
    };
    // Assess
    expect(none.memberRole).toBeUndefined();
    expect(blank.memberRole).toBeUndefined();
    expect(member.memberRole).toEqual({ name: "trailwatch-remediation", externalId: "acme-trailwatch" });
    expect(bad({ MEMBER_ROLE_NAME: "arn:aws:iam::444455556666:role/trailwatch-remediation" })).toMatch(/^remediator: invalid environment: MEMBER_ROLE_NAME: must be an IAM role name without a path/);
    expect(bad({ MEMBER_ROLE_EXTERNAL_ID: "acme-trailwatch" })).toBe(
      "remediator: invalid environment: MEMBER_ROLE_EXTERNAL_ID: is set but MEMBER_ROLE_NAME is not; set the member role's name too, or neither",
    );
    expect(bad({ MEMBER_ROLE_NAME: "trailwatch-remediation", MEMBER_ROLE_EXTERNAL_ID: "x" })).toMatch(/MEMBER_ROLE_EXTERNAL_ID: must be 2-1224 /);
  });

  it("fails every invocation with the reason while the environment is wrong", async () => {
    // Prepare
    const saved = { ...process.env };
    process.env = { ...saved, AWS_REGION: "us-east-1", REMEDIATION: "{not json" };
    try {
      // Act / Assess
      await expect(handler({ ruleId: LOGGING_STOPPED, record: stopLogging(TRAIL) })).rejects.toThrow(/^remediator: invalid environment: REMEDIATION: is not valid JSON/);
    } finally {
      process.env = saved;
    }
  });

  it("wires the real clients from the environment: remediates (S3 through AWS_ENDPOINT_URL_S3), and skips the analyzer's own events without asking STS", async () => {
    // Prepare
    const saved = { ...process.env };
    const remediation = JSON.stringify({ [LOGGING_STOPPED]: "apply", "s3.bucket-made-public": "apply" });
    process.env = { ...saved, ...ENV, REMEDIATION: remediation, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_ENDPOINT_URL_S3: s3.proxy.endpoint, AWS_ACCESS_KEY_ID: MOTO_CREDENTIALS.accessKeyId, AWS_SECRET_ACCESS_KEY: MOTO_CREDENTIALS.secretAccessKey };
    try {
      // Act
      const done = await handler({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(TRAIL))), source: SOURCE, retryTransient: true });
      const own = await handler({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(TRAIL, { userIdentity: selfIdentity() }) )), source: SOURCE});
      const bucket = await handler({ ruleId: "s3.bucket-made-public", record: history.add(fresh(deletePublicAccessBlock("customer-data"))), source: SOURCE, retryTransient: true });
      // Assess
      expect(done).toMatchObject({ status: "succeeded" });
      expect(own).toMatchObject({ status: "skipped", detail: expect.stringContaining(ANALYZER_ROLE_ARN) });
      expect(cloudTrail.commandCalls(StartLoggingCommand)).toHaveLength(1);
      expect(sts.commandCalls(GetCallerIdentityCommand)).toHaveLength(0);
      expect(bucket).toMatchObject({ action: "s3.restore-public-access-block", status: "succeeded" });
      expect(await s3.publicAccessBlock("customer-data")).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    } finally {
      process.env = saved;
    }
  });
});

describe("remediator in member accounts (MEMBER_ROLE_NAME)", () => {
  const MEMBER = "444455556666";
  const MEMBER_SOURCE = logSource(MEMBER);
  const MEMBER_TRAIL = `arn:aws:cloudtrail:eu-west-1:${MEMBER}:trail/member-trail`;
  const bob = { type: "IAMUser", principalId: "AIDAMEMBER", arn: `arn:aws:iam::${MEMBER}:user/bob`, accountId: MEMBER, userName: "bob" };
  const inMember = { recipientAccountId: MEMBER, userIdentity: bob };
  /** The member role's session key, as STS hands it out. */
  const MEMBER_KEY = "ASIAMEMBERSESSION";
  /** S3 of the member account: every bucket is the member's, and only the member session's key is known there. */
  let memberS3: FaultInjector;
  beforeAll(async () => {
    memberS3 = await startFaultInjector(s3.moto.endpoint, { bucketOwner: MEMBER, accessKeys: [MEMBER_KEY] });
  });
  afterAll(async () => {
    await memberS3?.stop();
  });

  /**
   * The function's own credentials (the environment's) are not the member session's key, so the
   * member account's S3 accepts only requests signed with what STS handed out for the member role.
   */
  const env = (over: Record<string, string> = {}) => ({
    AWS_REGION: "us-east-1",
    REMEDIATION: JSON.stringify({ [LOGGING_STOPPED]: "apply", "s3.bucket-made-public": "apply" }),
    FUNCTION_ROLE_ARN: REMEDIATOR_ROLE_ARN,
    TRIGGER_ROLE_ARNS: ANALYZER_ROLE_ARN,
    REMEDIATION_LEDGER_TABLE: LEDGER_TABLE,
    MEMBER_ROLE_NAME: "trailwatch-remediation",
    MEMBER_ROLE_EXTERNAL_ID: "acme-trailwatch",
    ...over,
  });
  const withEnvironment = async <T>(over: Record<string, string>, fn: () => Promise<T>): Promise<T> => {
    const saved = { ...process.env };
    process.env = { ...saved, AWS_ENDPOINT_URL_DYNAMODB: db.endpoint, AWS_ENDPOINT_URL_S3: memberS3.endpoint, AWS_ACCESS_KEY_ID: "FUNCTION-OWN-KEY", AWS_SECRET_ACCESS_KEY: "own-secret", ...over };
    try {
      return await fn();
    } finally {
      process.env = saved;
    }
  };

  beforeEach(() => {
    sts.on(AssumeRoleCommand).resolves({
      Credentials: { AccessKeyId: MEMBER_KEY, SecretAccessKey: "member-secret", SessionToken: "member-session", Expiration: new Date(Date.now() + 900_000) },
    });
  });

  it("assumes the member role with the external id and remediates there with its credentials (CloudTrail and S3)", async () => {
    await withEnvironment({}, async () => {
      // Prepare
      const run = remediatorFromEnvironment(env(), logger);
      // Act
      const trail = await run({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(MEMBER_TRAIL, inMember))), source: MEMBER_SOURCE, retryTransient: true });
      const bucket = await run({ ruleId: "s3.bucket-made-public", record: history.add(fresh(deletePublicAccessBlock("customer-data", inMember))), source: MEMBER_SOURCE, retryTransient: true });
      // Assess
      expect(trail).toMatchObject({ action: "cloudtrail.start-logging", status: "succeeded" });
      expect(bucket).toMatchObject({ action: "s3.restore-public-access-block", status: "succeeded" });
      expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
        { RoleArn: `arn:aws:iam::${MEMBER}:role/trailwatch-remediation`, RoleSessionName: "trailwatch-remediator", DurationSeconds: 900, ExternalId: "acme-trailwatch" },
      ]);
      const client = cloudTrail.commandCalls(StartLoggingCommand)[0]!.thisValue as CloudTrailClient;
      expect(await client.config.credentials()).toMatchObject({ accessKeyId: MEMBER_KEY, sessionToken: "member-session" });
      expect(memberS3.accessKeys.length).toBeGreaterThan(0);
      expect(memberS3.accessKeys.every((k) => k === MEMBER_KEY)).toBe(true);
      expect(await s3.publicAccessBlock("customer-data")).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
    });
  });

  it("still signs its own account's calls with its own credentials", async () => {
    await withEnvironment({}, async () => {
      const run = remediatorFromEnvironment(env(), logger);

      const own = await run({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(TRAIL))), source: SOURCE, retryTransient: true });

      expect(own).toMatchObject({ status: "succeeded" });
      const client = cloudTrail.commandCalls(StartLoggingCommand)[0]!.thisValue as CloudTrailClient;
      expect(await client.config.credentials()).toMatchObject({ accessKeyId: "FUNCTION-OWN-KEY" });
      expect(sts.calls()).toHaveLength(0);
    });
  });

  it("answers a role it cannot assume with a failed remediation, so the alert still goes out with the reason", async () => {
    await withEnvironment({}, async () => {
      // Prepare
      sts.on(AssumeRoleCommand).rejects(awsError("AccessDenied", 403, "not authorized to perform: sts:AssumeRole"));
      const run = remediatorFromEnvironment(env(), logger);
      // Act
      const res = await run({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(MEMBER_TRAIL, inMember))), source: MEMBER_SOURCE, retryTransient: true });
      // Assess
      expect(res).toMatchObject({
        status: "failed",
        detail: expect.stringMatching(/^could not assume the member role arn:aws:iam::444455556666:role\/trailwatch-remediation in account 444455556666: AccessDenied/),
      });
      expect(cloudTrail.calls()).toHaveLength(0);
    });
  });

  it("never remediates what the member role's sessions did", async () => {
    await withEnvironment({}, async () => {
      const run = remediatorFromEnvironment(env(), logger);
      const session = {
        type: "AssumedRole",
        principalId: "AROAMEMBER:trailwatch-remediator",
        arn: `arn:aws:sts::${MEMBER}:assumed-role/trailwatch-remediation/trailwatch-remediator`,
        accountId: MEMBER,
        sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAMEMBER", arn: `arn:aws:iam::${MEMBER}:role/trailwatch-remediation`, accountId: MEMBER, userName: "trailwatch-remediation" } },
      };

      const res = await run({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(MEMBER_TRAIL, { recipientAccountId: MEMBER, userIdentity: session }) )), source: MEMBER_SOURCE});

      expect(res).toMatchObject({ status: "skipped", detail: expect.stringContaining("member-account role (trailwatch-remediation in account 444455556666)") });
      expect(sts.calls()).toHaveLength(0);
    });
  });

  it("without MEMBER_ROLE_NAME skips other accounts' events as before, with the reason", async () => {
    await withEnvironment({}, async () => {
      const run = remediatorFromEnvironment(env({ MEMBER_ROLE_NAME: "", MEMBER_ROLE_EXTERNAL_ID: "" }), logger);

      const res = await run({ ruleId: LOGGING_STOPPED, record: history.add(fresh(stopLogging(MEMBER_TRAIL, inMember) )), source: MEMBER_SOURCE});

      expect(res).toMatchObject({ status: "skipped", detail: `the event is in account ${MEMBER} but this function runs in ${ACCOUNT}; it remediates only its own account` });
      expect(sts.calls()).toHaveLength(0);
      expect(cloudTrail.calls()).toHaveLength(0);
    });
  });
});
