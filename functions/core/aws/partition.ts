/**
 * AWS partitions trailwatch deploys to and reads from, and what follows from one: the ARN prefix and
 * the DNS suffix of service endpoints. The only place that maps a region, an ARN or a queue URL to a
 * partition, so a GovCloud or China deployment cannot get one answer here and another there.
 */

/** The partitions a deployment may be in (the `partition` setting of the config). */
export const PARTITIONS = ["aws", "aws-us-gov", "aws-cn"] as const;
export type Partition = (typeof PARTITIONS)[number];

/** The partitions as a regular-expression alternation, for ARN patterns. */
export const PARTITION_PATTERN = PARTITIONS.join("|");

/** True for a partition trailwatch supports. */
export function isPartition(p: string): p is Partition {
  return (PARTITIONS as readonly string[]).includes(p);
}

/** The partition of a region: `cn-*` is aws-cn, `us-gov-*` aws-us-gov, anything else aws. */
export function partitionOfRegion(region: string | undefined): Partition {
  if (region?.startsWith("cn-")) return "aws-cn";
  if (region?.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/** The partition an ARN names (`arn:<partition>:...`), or undefined when the text is not an ARN. */
export function partitionOfArn(arn: string | undefined): string | undefined {
  return /^arn:(aws[a-z-]*):/.exec(arn ?? "")?.[1];
}

/** The DNS suffix of service endpoints in a partition (`sqs.<region>.<suffix>`). */
export function dnsSuffixOf(partition: string): string {
  return partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com";
}
