import { ListAccountsCommand, ListAccountsForParentCommand, ListOrganizationalUnitsForParentCommand, ListTagsForResourceCommand, OrganizationsClient, TooManyRequestsException } from "@aws-sdk/client-organizations";
import { mockClient } from "aws-sdk-client-mock";
import { OrganizationsDirectory } from "../../../functions/adapters/aws/organizations-directory";

const acct = (id: string, state = "ACTIVE") => ({ Id: id, Name: `acct-${id.slice(-3)}`, Email: `a${id.slice(-3)}@example.com`, State: state as never });
const noSleep = async () => undefined;

describe("the Organizations account directory", () => {
  it("finds accounts in an OU and every OU nested below it, across pages", async () => {
    // Prepare: ou-a has 2 accounts (2 pages) and child ou-b; ou-b has child ou-c; ou-c has 1 account.
    const mock = mockClient(OrganizationsClient);
    mock.on(ListAccountsForParentCommand, { ParentId: "ou-aaaa-11111111", NextToken: undefined }).resolves({ Accounts: [acct("000000000001")], NextToken: "p2" });
    mock.on(ListAccountsForParentCommand, { ParentId: "ou-aaaa-11111111", NextToken: "p2" }).resolves({ Accounts: [acct("000000000002", "SUSPENDED")] });
    mock.on(ListAccountsForParentCommand, { ParentId: "ou-aaaa-22222222" }).resolves({ Accounts: [] });
    mock.on(ListAccountsForParentCommand, { ParentId: "ou-aaaa-33333333" }).resolves({ Accounts: [acct("000000000003")] });
    mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-aaaa-11111111" }).resolves({ OrganizationalUnits: [{ Id: "ou-aaaa-22222222" }] });
    mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-aaaa-22222222" }).resolves({ OrganizationalUnits: [{ Id: "ou-aaaa-33333333" }] });
    mock.on(ListOrganizationalUnitsForParentCommand, { ParentId: "ou-aaaa-33333333" }).resolves({ OrganizationalUnits: [] });
    const dir = new OrganizationsDirectory(new OrganizationsClient({ region: "us-east-1" }), { sleep: noSleep });

    // Act
    const found = await dir.accountsUnder(["ou-aaaa-11111111"]);

    // Assess
    expect(found.map((a) => [a.id, a.state])).toEqual([["000000000001", "ACTIVE"], ["000000000002", "SUSPENDED"], ["000000000003", "ACTIVE"]]);
    expect(found[0]).toEqual({ id: "000000000001", name: "acct-001", email: "a001@example.com", state: "ACTIVE" });
    expect(dir.calls).toEqual({ ListAccountsForParent: 4, ListOrganizationalUnitsForParent: 3 });
    mock.restore();
  });

  it("selects accounts by tag, looking tags up only for active accounts", async () => {
    const mock = mockClient(OrganizationsClient);
    mock.on(ListAccountsCommand, { NextToken: undefined }).resolves({ Accounts: [acct("000000000001"), acct("000000000002")], NextToken: "n" });
    mock.on(ListAccountsCommand, { NextToken: "n" }).resolves({ Accounts: [acct("000000000003"), acct("000000000004", "CLOSED")] });
    mock.on(ListTagsForResourceCommand, { ResourceId: "000000000001" }).resolves({ Tags: [{ Key: "bu", Value: "payments" }] });
    mock.on(ListTagsForResourceCommand, { ResourceId: "000000000002", NextToken: undefined }).resolves({ Tags: [{ Key: "team", Value: "x" }], NextToken: "t" });
    mock.on(ListTagsForResourceCommand, { ResourceId: "000000000002", NextToken: "t" }).resolves({ Tags: [{ Key: "bu", Value: "retail" }] });
    mock.on(ListTagsForResourceCommand, { ResourceId: "000000000003" }).resolves({ Tags: [{ Key: "bu", Value: "other" }] });
    const dir = new OrganizationsDirectory(new OrganizationsClient({ region: "us-east-1" }), { sleep: noSleep });

    const found = await dir.accountsTagged("bu", ["payments", "retail"]);

    expect(found.map((a) => a.id)).toEqual(["000000000001", "000000000002"]);
    expect(mock.commandCalls(ListTagsForResourceCommand).map((c) => c.args[0].input.ResourceId)).not.toContain("000000000004");
    mock.restore();
  });

  it("waits out throttling with backoff, and gives up after a bounded number of attempts", async () => {
    const mock = mockClient(OrganizationsClient);
    const throttle = new TooManyRequestsException({ message: "AWS Organizations can't complete your request because another request is already in progress", $metadata: {} });
    mock.on(ListAccountsCommand).rejectsOnce(throttle).rejectsOnce(throttle).resolves({ Accounts: [acct("000000000001")] });
    mock.on(ListTagsForResourceCommand).rejects(throttle);
    const sleeps: number[] = [];
    const dir = new OrganizationsDirectory(new OrganizationsClient({ region: "us-east-1" }), { maxAttempts: 3, sleep: async (ms) => void sleeps.push(ms) });

    await expect(dir.accountsTagged("bu", ["x"])).rejects.toThrow("Organizations kept throttling ListTagsForResource after 3 attempts");
    expect(dir.calls).toEqual({ ListAccounts: 3, ListTagsForResource: 3 });
    expect(sleeps).toHaveLength(4);
    mock.restore();
  });
});
