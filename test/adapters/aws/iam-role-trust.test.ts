import { GetRoleCommand, IAMClient, NoSuchEntityException } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { mockClient } from "aws-sdk-client-mock";
import { IamRoleTrustLookup } from "../../../functions/adapters/aws/iam-role-trust";

const ACCT = "111122223333";

describe("role trust lookup through a read-only role", () => {
  it("assumes the role once per account and reads the trust policy of the role by name (path ignored)", async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "AK", SecretAccessKey: "SK", SessionToken: "ST", Expiration: new Date() } });
    const iam = mockClient(IAMClient);
    iam.on(GetRoleCommand, { RoleName: "app" }).resolves({ Role: { RoleName: "app", Path: "/team/", Arn: "x", RoleId: "r", CreateDate: new Date(), AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" } }] })) } });
    const lookup = new IamRoleTrustLookup(new STSClient({ region: "us-east-1" }), { roleName: "trailwatch-read-only", iamClient: (c) => new IAMClient({ region: "us-east-1", credentials: c }) });

    const t1 = await lookup.trustOf(ACCT, `arn:aws:iam::${ACCT}:role/team/app`);
    await lookup.trustOf(ACCT, `arn:aws:iam::${ACCT}:role/team/app`);

    expect(t1?.kinds).toEqual(["service"]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)[0]!.args[0].input.RoleArn).toBe(`arn:aws:iam::${ACCT}:role/trailwatch-read-only`);
    sts.restore();
    iam.restore();
  });

  it("answers nothing (and keeps the reason) for another account's role or a role it cannot read", async () => {
    const sts = mockClient(STSClient);
    sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: "AK", SecretAccessKey: "SK", SessionToken: "ST", Expiration: new Date() } });
    const iam = mockClient(IAMClient);
    iam.on(GetRoleCommand).rejects(new NoSuchEntityException({ message: "The role with name gone cannot be found.", $metadata: {} }));
    const lookup = new IamRoleTrustLookup(new STSClient({ region: "us-east-1" }), { roleName: "ro", iamClient: (c) => new IAMClient({ region: "us-east-1", credentials: c }) });

    expect(await lookup.trustOf(ACCT, "arn:aws:iam::999988887777:role/x")).toBeUndefined();
    expect(await lookup.trustOf(ACCT, `arn:aws:iam::${ACCT}:role/gone`)).toBeUndefined();
    expect(lookup.lastError).toMatch(/NoSuchEntity/);
    sts.restore();
    iam.restore();
  });
});
