import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import {
  MEMBER_SESSION_NAME,
  MemberAccountRemediators,
  MemberRoleError,
  RemediationTransientError,
  type CredentialProvider,
} from "../../../functions/adapters/aws/remediation";
import { awsError } from "./remediation-fixtures";

const sts = mockClient(STSClient);
const MEMBER = "444455556666";
const OTHER = "777788889999";
const T0 = Date.parse("2026-01-05T10:00:00Z");

/** STS answers each AssumeRole with credentials named after the account and the call, valid 15 minutes from `clock.now`. */
function answerWithFreshCredentials(clock: { now: number }) {
  let n = 0;
  sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => {
    const account = input.RoleArn.split(":")[4];
    n++;
    return { Credentials: { AccessKeyId: `ASIA${account}-${n}`, SecretAccessKey: "secret", SessionToken: `token-${n}`, Expiration: new Date(clock.now + 15 * 60_000) } };
  });
}

/** Member accounts whose "remediators" record the credential provider each account was given. */
function members(opts: { externalId?: string; clock?: { now: number } } = {}) {
  const providers = new Map<string, CredentialProvider>();
  let built = 0;
  const m = new MemberAccountRemediators({
    roleName: "trailwatch-remediation",
    ...(opts.externalId ? { externalId: opts.externalId } : {}),
    partition: "aws",
    sts: new STSClient({ region: "eu-west-1", credentials: { accessKeyId: "FN", secretAccessKey: "FN" } }),
    remediatorsFor: (credentials) => {
      providers.set(`#${++built}`, credentials);
      return {};
    },
    eventHistoryFor: (credentials) => {
      providers.set(`history#${++built}`, credentials);
      return { find: async () => undefined };
    },
    now: () => opts.clock?.now ?? Date.now(),
  });
  return { m, providers };
}

beforeEach(() => sts.reset());

describe("MemberAccountRemediators", () => {
  it("assumes the member role of the event's account with the session name, 15 minutes and the external id", async () => {
    // Prepare
    const clock = { now: T0 };
    answerWithFreshCredentials(clock);
    const { m } = members({ externalId: "acme-trailwatch", clock });
    // Act
    await m.access(MEMBER);
    // Assess
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input)).toEqual([
      { RoleArn: `arn:aws:iam::${MEMBER}:role/trailwatch-remediation`, RoleSessionName: MEMBER_SESSION_NAME, DurationSeconds: 900, ExternalId: "acme-trailwatch" },
    ]);
  });

  it("sends no external id when none is configured", async () => {
    answerWithFreshCredentials({ now: T0 });
    const { m } = members({ clock: { now: T0 } });

    await m.access(MEMBER);

    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input).not.toHaveProperty("ExternalId");
  });

  it("caches credentials per account until shortly before they expire", async () => {
    // Prepare
    const clock = { now: T0 };
    answerWithFreshCredentials(clock);
    const { m } = members({ clock });
    const provider = () => m.credentialsOf(MEMBER);
    // Act
    const first = await provider();
    clock.now = T0 + 9 * 60_000; // 6 minutes left: still used
    const stillCached = await provider();
    const other = await m.credentialsOf(OTHER);
    clock.now = T0 + 11 * 60_000; // 4 minutes left: renewed
    const renewed = await provider();
    // Assess
    expect(first.accessKeyId).toBe(`ASIA${MEMBER}-1`);
    expect(stillCached).toBe(first);
    expect(other.accessKeyId).toBe(`ASIA${OTHER}-2`);
    expect(renewed).toMatchObject({ accessKeyId: `ASIA${MEMBER}-3`, sessionToken: "token-3" });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn!.split(":")[4])).toEqual([MEMBER, OTHER, MEMBER]);
  });

  it("asks STS once for concurrent first uses of an account", async () => {
    answerWithFreshCredentials({ now: T0 });
    const { m } = members({ clock: { now: T0 } });

    const all = await Promise.all([m.access(MEMBER), m.credentialsOf(MEMBER), m.credentialsOf(MEMBER)]);

    expect(all[1]).toBe(all[2]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it("builds one set of remediators per account, whose clients sign with that account's credentials", async () => {
    // Prepare
    answerWithFreshCredentials({ now: T0 });
    const { m, providers } = members({ clock: { now: T0 } });
    // Act
    const a = m.remediators(MEMBER);
    const again = m.remediators(MEMBER);
    m.remediators(OTHER);
    const creds = await Promise.all([...providers.values()].map((p) => p()));
    // Assess
    expect(again).toBe(a);
    expect(creds.map((c) => c.accessKeyId)).toEqual([`ASIA${MEMBER}-1`, `ASIA${OTHER}-2`]);
  });

  it("builds one event history per account, read with that account's credentials", async () => {
    // Prepare
    answerWithFreshCredentials({ now: T0 });
    const { m, providers } = members({ clock: { now: T0 } });
    // Act
    const h = m.eventHistory(MEMBER);
    const again = m.eventHistory(MEMBER);
    m.eventHistory(OTHER);
    const creds = await Promise.all([...providers.entries()].filter(([k]) => k.startsWith("history")).map(([, p]) => p()));
    // Assess
    expect(again).toBe(h);
    expect(creds.map((c) => c.accessKeyId)).toEqual([`ASIA${MEMBER}-1`, `ASIA${OTHER}-2`]);
  });

  it("fails with the account, the role and what to check when the role cannot be assumed, and asks again next time", async () => {
    // Prepare
    sts
      .on(AssumeRoleCommand)
      .rejectsOnce(awsError("AccessDenied", 403, `User: arn:aws:sts::222233334444:assumed-role/trailwatch-remediator/x is not authorized to perform: sts:AssumeRole`))
      .resolves({ Credentials: { AccessKeyId: "ASIAOK", SecretAccessKey: "s", SessionToken: "t", Expiration: new Date(T0 + 900_000) } });
    const { m } = members({ externalId: "acme-trailwatch", clock: { now: T0 } });
    // Act
    const denied = await m.access(MEMBER).catch((e: unknown) => e);
    const later = await m.credentialsOf(MEMBER);
    // Assess
    expect(denied).toBeInstanceOf(MemberRoleError);
    expect((denied as Error).message).toBe(
      `could not assume the member role arn:aws:iam::${MEMBER}:role/trailwatch-remediation in account ${MEMBER}: AccessDenied: ` +
        "User: arn:aws:sts::222233334444:assumed-role/trailwatch-remediator/x is not authorized to perform: sts:AssumeRole; " +
        "the role is missing in that account (the member-role stack set does not reach it, e.g. the management account) or does not trust this remediator's role with this external id",
    );
    expect(later.accessKeyId).toBe("ASIAOK");
  });

  it("reports throttling by STS as transient, so the caller can retry", async () => {
    sts.on(AssumeRoleCommand).rejects(awsError("Throttling", 400, "Rate exceeded"));
    const { m } = members({ clock: { now: T0 } });

    const e = await m.access(MEMBER).catch((x: unknown) => x);

    expect(e).toBeInstanceOf(RemediationTransientError);
    expect((e as Error).message).toMatch(/member role arn:aws:iam::444455556666:role\/trailwatch-remediation in account 444455556666: Throttling: Rate exceeded$/);
  });
});
