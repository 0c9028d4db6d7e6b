import { ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, ListAccountsCommand, ListTagsForResourceCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { PublishBatchCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { createMusterHandler } from "../../../functions/handlers/muster";

// Quiet logs: failures are asserted, not printed.
process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
process.env.POWERTOOLS_METRICS_DISABLED = "true";

const TOPIC = "arn:aws:sns:us-east-1:111122223333:trailwatch-anomaly-fanout";
const config = {
  units: [
    { name: "payments", organizationalUnits: ["ou-aaaa-11111111"], schedule: "cron(5 * * * ? *)" },
    { name: "retail", tag: { key: "bu", values: ["retail"] }, schedule: "rate(2 hours)", overlapMinutes: 20, excludeAccounts: ["000000000009"] },
  ],
  excludeAccounts: ["000000000002"],
  dedicatedAccounts: ["000000000001"],
};
const env = { MUSTER_CONFIG: JSON.stringify(config), FANOUT_TOPIC_ARN: TOPIC, AWS_REGION: "us-east-1" };
const acct = (id: string, state = "ACTIVE") => ({ Id: id, Name: `n${id.slice(-1)}`, Email: `e${id.slice(-1)}@example.com`, State: state as never });

describe("the muster handler", () => {
  let org: ReturnType<typeof mockClient>;
  let sns: ReturnType<typeof mockClient>;
  beforeEach(() => {
    process.env.AWS_REGION = "us-east-1";
    org = mockClient(OrganizationsClient);
    sns = mockClient(SNSClient);
    sns.on(PublishBatchCommand).callsFake((i: { PublishBatchRequestEntries: { Id: string }[] }) => ({ Successful: i.PublishBatchRequestEntries.map((e) => ({ Id: e.Id })) }));
  });
  afterEach(() => {
    org.restore();
    sns.restore();
  });

  it("fans out one message per active, non-excluded account of the unit, carrying the window of the scheduled hour", async () => {
    // Prepare
    org.on(ListAccountsForParentCommand, { ParentId: "ou-aaaa-11111111" }).resolves({ Accounts: [acct("000000000001"), acct("000000000002"), acct("000000000003", "SUSPENDED")] });
    org.on(ListAccountsForParentCommand, { ParentId: "ou-aaaa-22222222" }).resolves({ Accounts: [acct("000000000004")] });
    org.on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-aaaa-11111111" }).resolves({ OrganizationalUnits: [{ Id: "ou-aaaa-22222222" }] });
    org.on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-aaaa-22222222" }).resolves({ OrganizationalUnits: [] });
    const handler = createMusterHandler(env);

    // Act: the run EventBridge Scheduler starts at 00:05, just after midnight.
    const res = await handler({ unit: "payments", scheduledTime: "2026-11-21T00:05:00Z" });

    // Assess
    expect(res).toMatchObject({ unit: "payments", window: { from: "2026-11-20T22:45:00.000Z", to: "2026-11-21T00:00:00.000Z" }, accounts: 2, published: 2, requests: 1 });
    expect(res.skipped).toEqual([{ account: "000000000002", reason: "excluded by configuration" }, { account: "000000000003", reason: "state SUSPENDED" }]);
    const entries = sns.commandCalls(PublishBatchCommand)[0]!.args[0].input.PublishBatchRequestEntries!;
    expect(entries.map((e) => [e.MessageAttributes!.account!.StringValue, e.MessageAttributes!.dedicated!.StringValue])).toEqual([["000000000001", "yes"], ["000000000004", "no"]]);
    expect(JSON.parse(entries[1]!.Message!)).toEqual({
      version: 1, unit: "payments", account: { id: "000000000004", name: "n4", email: "e4@example.com" },
      window: { from: "2026-11-20T22:45:00.000Z", to: "2026-11-21T00:00:00.000Z" }, scheduledTime: "2026-11-21T00:05:00.000Z",
    });
  });

  it("selects a tag unit's accounts and sizes its window to the schedule's period", async () => {
    org.on(ListAccountsCommand).resolves({ Accounts: [acct("000000000005"), acct("000000000009")] });
    org.on(ListTagsForResourceCommand).resolves({ Tags: [{ Key: "bu", Value: "retail" }] });
    const res = await createMusterHandler(env)({ unit: "retail", scheduledTime: "2026-11-20T12:37:00Z" });
    expect(res.window).toEqual({ from: "2026-11-20T09:40:00.000Z", to: "2026-11-20T12:00:00.000Z" });
    expect(res.accounts).toBe(1);
  });

  it("fails with the list of accounts it could not publish, so the run is retried and then kept in the DLQ", async () => {
    org.on(ListAccountsForParentCommand).resolves({ Accounts: [acct("000000000001"), acct("000000000004")] });
    org.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: "m0" }], Failed: [{ Id: "m1", Code: "AuthorizationError", SenderFault: true, Message: "not allowed" }] });
    await expect(createMusterHandler(env)({ unit: "payments", scheduledTime: "2026-11-20T11:05:00Z" })).rejects.toThrow("muster payments: 1 of 2 account message(s) could not be published: 000000000004 (AuthorizationError: not allowed)");
  });

  it("refuses an unknown unit, a malformed event and a bad configuration, saying what is wrong", async () => {
    await expect(createMusterHandler(env)({ unit: "hr" })).rejects.toThrow('unknown business unit "hr" (configured: payments, retail)');
    await expect(createMusterHandler(env)({ scheduledTime: "x" })).rejects.toThrow(/the event is not valid: unit/);
    const bad = { ...env, MUSTER_CONFIG: JSON.stringify({ units: [{ name: "x", schedule: "cron(5 9,17 * * ? *)", organizationalUnits: ["ou-aaaa-11111111"] }] }) };
    await expect(createMusterHandler(bad)({ unit: "x" })).rejects.toThrow(/MUSTER_CONFIG\.units\.0\.periodMinutes: cannot tell how often "cron\(5 9,17 \* \* \? \*\)" fires; set periodMinutes/);
  });
});
