import type { Construct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";

export interface StateTableProps {
  name: string;
  /** The KMS key that encrypts the table (the platform key). */
  kmsKeyArn: string;
  /** A string sort key `sk` besides the string partition key `pk`. */
  sortKey?: boolean;
  /** Point-in-time recovery; left unset (off) when not given. */
  pointInTimeRecovery?: boolean;
  /** Deletion protection; left unset (off) when not given. */
  deletionProtectionEnabled?: boolean;
}

/**
 * A DynamoDB table trailwatch keeps its own state in (idempotency, ledgers, baselines, heartbeat
 * state): on demand, string key `pk` (and `sk`), items that expire by their `expiresAt` attribute
 * (TTL), encrypted with a customer-managed key.
 */
export function stateTable(scope: Construct, id: string, props: StateTableProps): DynamodbTable {
  return new DynamodbTable(scope, id, {
    name: props.name,
    billingMode: "PAY_PER_REQUEST",
    hashKey: "pk",
    ...(props.sortKey ? { rangeKey: "sk" } : {}),
    attribute: [{ name: "pk", type: "S" }, ...(props.sortKey ? [{ name: "sk", type: "S" }] : [])],
    ttl: { attributeName: "expiresAt", enabled: true },
    serverSideEncryption: { enabled: true, kmsKeyArn: props.kmsKeyArn },
    ...(props.pointInTimeRecovery !== undefined ? { pointInTimeRecovery: { enabled: props.pointInTimeRecovery } } : {}),
    ...(props.deletionProtectionEnabled !== undefined ? { deletionProtectionEnabled: props.deletionProtectionEnabled } : {}),
  });
}
