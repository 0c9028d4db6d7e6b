import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DetachUserPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import {
  createRemediators,
  MemberAccountRemediators,
  RemediationRunner,
  RemediationTransientError,
  roleKey,
  selfFromCallerIdentity,
  type SelfIdentity,
} from "../../../functions/adapters/aws/remediation";
import type { RemediationMode } from "../../../functions/core/remediation/permissions";
import { ACCOUNT, SELF_ROLE_ARN, attachAdmin, selfIdentity, stopLogging } from "../../handlers/log-analyzer/records";
import { awsError, findingFor, testClients } from "./remediation-fixtures";

const cloudTrail = mockClient(CloudTrailClient);
const iam = mockClient(IAMClient);
const sts = mockClient(STSClient);

beforeEach(() => {
  cloudTrail.reset();
  iam.reset();
  sts.reset();
  iam.on(DetachUserPolicyCommand).resolves({});
});

function runner(mode: RemediationMode | undefined, self: SelfIdentity | "unknown" = { accountId: ACCOUNT, roleArn: SELF_ROLE_ARN }) {
  return new RemediationRunner({
    modes: mode ? { "test.remediable": mode } : {},
    remediators: createRemediators(testClients()),
    self: async () => (self === "unknown" ? undefined : self),
  });
}

describe("RemediationRunner", () => {
  it("is off unless the rule is configured", async () => {
    // Prepare
    const f = findingFor(attachAdmin(), "iam.detach-admin-policy");

    // Act
    const absent = await runner(undefined).run(f);
    const off = await runner("off").run(f);

    // Assess
    expect(absent).toBeNull();
    expect(off).toBeNull();
    expect(iam.calls()).toHaveLength(0);
  });

  it("plans in dry-run and acts in apply", async () => {
    const f = findingFor(attachAdmin("mallory"), "iam.detach-admin-policy");

    const planned = await runner("dry-run").run(f);
    const applied = await runner("apply").run(f);

    expect(planned).toMatchObject({ mode: "dry-run", status: "planned" });
    expect(applied).toMatchObject({ mode: "apply", status: "succeeded", detail: "detached arn:aws:iam::aws:policy/AdministratorAccess from user mallory" });
    expect(iam.commandCalls(DetachUserPolicyCommand)).toHaveLength(1);
  });

  it("never acts on a failed call (errorCode), in dry-run nor apply", async () => {
    const f = findingFor(attachAdmin("mallory", { errorCode: "AccessDenied", errorMessage: "not authorized" }), "iam.detach-admin-policy");

    const res = await runner("apply").run(f);

    expect(res).toEqual({ action: "iam.detach-admin-policy", mode: "apply", status: "skipped", detail: "the call failed (AccessDenied); nothing changed, so there is nothing to undo" });
    expect(iam.calls()).toHaveLength(0);
  });

  it("never remediates an event made by its own role (no remediation loops)", async () => {
    const f = findingFor(stopLogging(undefined, { userIdentity: selfIdentity() }), "cloudtrail.start-logging");

    const res = await runner("apply").run(f);

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
    const res = await runner("apply", "unknown").run(findingFor(attachAdmin(), "iam.detach-admin-policy"));

    expect(res).toMatchObject({ status: "failed", detail: expect.stringMatching(/own role/) });
    expect(iam.calls()).toHaveLength(0);
  });

  it("remediates only its own account (names in other accounts' events would hit the wrong resource)", async () => {
    const f = findingFor(attachAdmin("mallory", { recipientAccountId: "444455556666" }), "iam.detach-admin-policy");

    const res = await runner("apply").run(f);

    expect(res).toMatchObject({ status: "skipped", detail: `the event is in account 444455556666 but this function runs in ${ACCOUNT}; it remediates only its own account` });
    expect(iam.calls()).toHaveLength(0);
  });

  it("rethrows a transient failure while retries are wanted, then reports it as failed", async () => {
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).rejects(awsError("ThrottlingException", 400, "Rate exceeded"));
    const f = findingFor(stopLogging(), "cloudtrail.start-logging");

    const retried = await runner("apply").run(f, { retryTransient: true }).catch((e: unknown) => e);
    const final = await runner("apply").run(f, { retryTransient: false });

    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect(final).toMatchObject({ status: "failed", detail: expect.stringMatching(/ThrottlingException: Rate exceeded \(gave up retrying\)/) });
  });
});

describe("RemediationRunner with a member-account role", () => {
  const MEMBER = "444455556666";
  const MEMBER_ROLE = "trailwatch-remediation";
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
    });
    return new RemediationRunner({
      modes: { "test.remediable": mode },
      remediators: createRemediators(testClients()),
      self: async () => ({ accountId: ACCOUNT, roleArn: SELF_ROLE_ARN }),
      memberAccounts: member,
    });
  }

  /** The access key a mocked client's call was signed with. */
  async function keyOfCall(call: { thisValue: unknown }): Promise<string> {
    const client = call.thisValue as { config: { credentials: () => Promise<{ accessKeyId: string }> } };
    return (await client.config.credentials()).accessKeyId;
  }

  it("remediates an event of a member account there, with clients signing with the member role's credentials", async () => {
    // Prepare
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).resolves({});
    const f = findingFor(stopLogging(memberTrail, inMember()), "cloudtrail.start-logging");
    // Act
    const res = await memberRunner("apply", { externalId: "acme-trailwatch" }).run(f);
    // Assess
    expect(res).toEqual({ action: "cloudtrail.start-logging", mode: "apply", status: "succeeded", detail: `started logging on trail ${memberTrail} in eu-west-1` });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/${MEMBER_ROLE}`, RoleSessionName: "trailwatch-remediator", DurationSeconds: 900, ExternalId: "acme-trailwatch" },
    ]);
    const calls = cloudTrail.calls();
    expect(calls.map((c) => c.args[0].constructor.name)).toEqual(["GetTrailStatusCommand", "StartLoggingCommand"]);
    expect(await Promise.all(calls.map(keyOfCall))).toEqual([`ASIA-${MEMBER}`, `ASIA-${MEMBER}`]);
  });

  it("keeps using its own clients for its own account, without assuming any role", async () => {
    iam.on(DetachUserPolicyCommand).resolves({});

    const res = await memberRunner("apply").run(findingFor(attachAdmin("mallory"), "iam.detach-admin-policy"));

    expect(res).toMatchObject({ status: "succeeded" });
    expect(await keyOfCall(iam.call(0))).toBe("TEST");
    expect(sts.calls()).toHaveLength(0);
  });

  it("assumes the role once per account across findings", async () => {
    iam.on(DetachUserPolicyCommand).resolves({});
    const run = memberRunner("apply");

    await run.run(findingFor(attachAdmin("mallory", inMember()), "iam.detach-admin-policy"));
    await run.run(findingFor(attachAdmin("eve", inMember()), "iam.detach-admin-policy"));

    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(iam.commandCalls(DetachUserPolicyCommand).map((c) => c.args[0].input.UserName)).toEqual(["mallory", "eve"]);
  });

  it("plans in dry-run for a member account without assuming the role", async () => {
    const res = await memberRunner("dry-run").run(findingFor(attachAdmin("mallory", inMember()), "iam.detach-admin-policy"));

    expect(res).toMatchObject({ mode: "dry-run", status: "planned", detail: expect.stringMatching(/iam:DetachUserPolicy .*mallory/) });
    expect(sts.calls()).toHaveLength(0);
  });

  it("reports a role it cannot assume as a failed remediation naming the account and the role", async () => {
    // Prepare
    const run = memberRunner("apply");
    sts.on(AssumeRoleCommand).rejects(awsError("AccessDenied", 403, "not authorized to perform: sts:AssumeRole"));
    // Act
    const res = await run.run(findingFor(attachAdmin("mallory", inMember()), "iam.detach-admin-policy"), { retryTransient: true });
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
    const f = findingFor(attachAdmin("mallory", inMember()), "iam.detach-admin-policy");

    const retried = await run.run(f, { retryTransient: true }).catch((e: unknown) => e);
    const final = await run.run(f);

    expect(retried).toBeInstanceOf(RemediationTransientError);
    expect(final).toMatchObject({ status: "failed", detail: expect.stringMatching(/Throttling: Rate exceeded \(gave up retrying\)$/) });
  });

  it("never remediates what the member role's sessions did, in a member account or its own", async () => {
    // Prepare
    const run = memberRunner("apply");
    // Act
    const there = await run.run(findingFor(stopLogging(memberTrail, inMember({ userIdentity: memberRoleSession(MEMBER) })), "cloudtrail.start-logging"));
    const here = await run.run(findingFor(stopLogging(undefined, { userIdentity: memberRoleSession(ACCOUNT, "Trailwatch-Remediation") }), "cloudtrail.start-logging"));
    // Assess
    expect(there).toMatchObject({ status: "skipped", detail: `the event was made by trailwatch's member-account role (${MEMBER_ROLE} in account ${MEMBER}); its own actions are never remediated` });
    expect(here).toMatchObject({ status: "skipped", detail: expect.stringContaining(`member-account role (${MEMBER_ROLE} in account ${ACCOUNT})`) });
    expect(sts.calls()).toHaveLength(0);
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it("keeps the other guards for member accounts: a failed call is never remediated", async () => {
    const res = await memberRunner("apply").run(findingFor(attachAdmin("mallory", inMember({ errorCode: "AccessDenied" })), "iam.detach-admin-policy"));

    expect(res).toMatchObject({ status: "skipped", detail: expect.stringMatching(/^the call failed/) });
    expect(sts.calls()).toHaveLength(0);
  });
});
