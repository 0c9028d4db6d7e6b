import { ACCOUNT_ID, BUCKET_NAME, KMS_KEY_ARN, ORGANIZATION_ID, REGION, requireArn, requireMatch, ROLE_ARN, SNS_TOPIC_ARN, splitArn, TRAIL_ARN } from "../../../functions/core/aws/identifiers";

describe("AWS identifier patterns", () => {
  it("accept what AWS issues in every supported partition", () => {
    expect(ACCOUNT_ID.test("011122223333")).toBe(true);
    expect(["eu-west-1", "us-gov-west-1", "cn-north-1", "us-isob-east-1"].every((r) => REGION.test(r))).toBe(true);
    expect(ORGANIZATION_ID.test("o-a1b2c3d4e5")).toBe(true);
    expect(BUCKET_NAME.test("acme-org.cloudtrail")).toBe(true);
    expect(KMS_KEY_ARN.exec("arn:aws-cn:kms:cn-north-1:111122223333:key/1234abcd-12ab")?.slice(1)).toEqual(["aws-cn", "cn-north-1", "111122223333", "1234abcd-12ab"]);
    expect(TRAIL_ARN.exec("arn:aws:cloudtrail:us-east-1:111122223333:trail/org-trail")?.slice(1)).toEqual(["aws", "us-east-1", "111122223333", "org-trail"]);
    expect(SNS_TOPIC_ARN.test("arn:aws-us-gov:sns:us-gov-west-1:111122223333:alerts")).toBe(true);
    expect(ROLE_ARN.test("arn:aws:iam::111122223333:role/service/trailwatch")).toBe(true);
  });

  it("refuse look-alikes", () => {
    expect(ACCOUNT_ID.test("11112222333")).toBe(false);
    expect(REGION.test("us-east-1/../x")).toBe(false);
    expect(ORGANIZATION_ID.test("o-short")).toBe(false);
    expect(BUCKET_NAME.test("Bad_Bucket")).toBe(false);
    expect(KMS_KEY_ARN.test("arn:aws:kms:us-east-1:111122223333:alias/x")).toBe(false);
    expect(TRAIL_ARN.test("arn:aws-iso:cloudtrail:us-iso-east-1:111122223333:trail/t")).toBe(false);
    expect(ROLE_ARN.test("arn:aws:iam::111122223333:user/x")).toBe(false);
  });

  it("requireMatch names the value and the expected shape", () => {
    expect(() => requireMatch("account id", "x", ACCOUNT_ID)).toThrow('account id is not valid (got "x"; expected ^\\d{12}$)');
    expect(requireMatch("account id", "111122223333", ACCOUNT_ID)).toBe("111122223333");
  });

  it("split ARNs into partition, region, account and name, or say what was expected", () => {
    expect(splitArn(SNS_TOPIC_ARN, "arn:aws:sns:eu-west-1:111122223333:alerts")).toEqual({ partition: "aws", region: "eu-west-1", account: "111122223333", name: "alerts" });
    expect(splitArn(TRAIL_ARN, "arn:aws:sns:eu-west-1:111122223333:alerts")).toBeUndefined();
    expect(() => requireArn(KMS_KEY_ARN, "a KMS key ARN", "arn:aws:kms:eu-west-1:111122223333:alias/x")).toThrow("not a KMS key ARN: arn:aws:kms:eu-west-1:111122223333:alias/x");
  });
});
