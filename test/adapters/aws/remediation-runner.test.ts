import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DetachUserPolicyCommand, IAMClient } from "@aws-sdk/client-iam";
import { mockClient } from "aws-sdk-client-mock";
import {
  createRemediators,
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

beforeEach(() => {
  cloudTrail.reset();
  iam.reset();
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
