import { Testing, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Platform } from "../../../modules/platform";

const PROPS = { namePrefix: "tw", account: "111122223333", region: "eu-west-1", logRetentionDays: 90 };

describe("Platform", () => {
  it("is found from any construct of its stack", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "s");
    const platform = new Platform(stack, "platform", PROPS);
    const deep = new Construct(new Construct(stack, "a"), "b");
    // Act / Assess
    expect(Platform.of(deep)).toBe(platform);
    expect(platform.arn("sqs", "q")).toBe("arn:aws:sqs:eu-west-1:111122223333:q");
    expect(platform.name("x")).toBe("tw-x");
  });

  it("says how to fix a stack without a Platform", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "bare");
    // Act / Assess
    expect(() => Platform.of(new Construct(stack, "c"))).toThrow(/No Platform in stack "bare" \(needed by bare\/c\): create `new Platform\(stack, "platform", \{\.\.\.\}\)`/);
  });

  it("rejects a second Platform, a bad prefix and a bad account", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "s");
    new Platform(stack, "platform", PROPS);
    // Act / Assess
    expect(() => new Platform(stack, "again", PROPS)).toThrow(/already has a Platform/);
    expect(() => new Platform(new TerraformStack(Testing.app(), "t"), "p", { ...PROPS, namePrefix: "Bad_Prefix" })).toThrow(/namePrefix "Bad_Prefix" must be 2-24 lowercase/);
    expect(() => new Platform(new TerraformStack(Testing.app(), "u"), "p", { ...PROPS, account: "1234" })).toThrow(/account "1234" must be a 12-digit/);
  });

  it("creates one rotating key whose policy lets only this account's services use it", () => {
    // Act
    const tf = JSON.parse(Testing.synthScope((s) => void new Platform(s, "platform", PROPS)));
    // Assess
    const key = Object.values<any>(tf.resource.aws_kms_key)[0];
    expect(key).toMatchObject({ enable_key_rotation: true, deletion_window_in_days: 30 });
    expect(Object.values<any>(tf.resource.aws_kms_alias)[0].name).toBe("alias/tw");
    const policy = Object.values<any>(tf.data.aws_iam_policy_document)[0];
    const bySid = Object.fromEntries(policy.statement.map((s: any) => [s.sid, s]));
    expect(bySid.CloudWatchLogsEncryptsLogGroupsOfThisAccount.principals[0].identifiers).toEqual(["logs.eu-west-1.amazonaws.com"]);
    expect(bySid.CloudWatchLogsEncryptsLogGroupsOfThisAccount.condition[0].values).toEqual(["arn:aws:logs:eu-west-1:111122223333:log-group:*"]);
    const services = bySid.AwsServicesOfThisAccountDeliverToEncryptedTopicsAndQueues;
    expect(services.actions).toEqual(["kms:GenerateDataKey", "kms:Decrypt"]);
    expect(services.condition).toEqual([{ test: "StringEquals", variable: "aws:SourceAccount", values: ["111122223333"] }]);
  });

  it("gives resources of another region a key of that region, created once", () => {
    // Prepare
    const stack = new TerraformStack(Testing.app(), "s");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const west = new AwsProvider(stack, "west", { region: "us-west-2", alias: "west" });
    const platform = new Platform(stack, "platform", PROPS);
    // Act
    const a = platform.keyFor(west);
    const b = platform.keyFor(west);
    // Assess
    expect(a).toBe(b);
    expect(a).not.toBe(platform.kmsKey);
    expect(platform.keyFor(undefined)).toBe(platform.kmsKey);
    const tf = JSON.parse(Testing.synth(stack));
    expect(Object.values<any>(tf.resource.aws_kms_alias).map((x) => x.name).sort()).toEqual(["alias/tw", "alias/tw-us-west-2"]);
  });
});
