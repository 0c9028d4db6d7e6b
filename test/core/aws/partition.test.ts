import { dnsSuffixOf, isPartition, partitionOfArn, partitionOfRegion } from "../../../functions/core/aws/partition";

describe("AWS partitions", () => {
  it("maps a region to its partition", () => {
    expect(partitionOfRegion("eu-west-1")).toBe("aws");
    expect(partitionOfRegion("us-gov-west-1")).toBe("aws-us-gov");
    expect(partitionOfRegion("cn-north-1")).toBe("aws-cn");
    expect(partitionOfRegion(undefined)).toBe("aws");
  });

  it("reads the partition of an ARN, and nothing from text that is not one", () => {
    expect(partitionOfArn("arn:aws-us-gov:iam::111122223333:role/x")).toBe("aws-us-gov");
    expect(partitionOfArn("arn:aws-cn:s3:::bucket")).toBe("aws-cn");
    expect(partitionOfArn("role/x")).toBeUndefined();
    expect(partitionOfArn(undefined)).toBeUndefined();
  });

  it("gives the China partition its own DNS suffix", () => {
    expect(dnsSuffixOf("aws")).toBe("amazonaws.com");
    expect(dnsSuffixOf("aws-us-gov")).toBe("amazonaws.com");
    expect(dnsSuffixOf("aws-cn")).toBe("amazonaws.com.cn");
  });

  it("knows only the partitions a deployment may be in", () => {
    expect(["aws", "aws-us-gov", "aws-cn"].every(isPartition)).toBe(true);
    expect(isPartition("aws-iso")).toBe(false);
  });
});
