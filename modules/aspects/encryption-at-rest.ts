import { Annotations, Token, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { DynamodbTable } from "@cdktf/provider-aws/lib/dynamodb-table";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Platform } from "../platform/platform";

/**
 * Encryption at rest for topics, queues and tables: a resource without encryption settings gets the
 * platform key of its region; one that explicitly turns encryption off fails synth (we do not
 * silently override an explicit choice). S3 buckets are handled by `S3GuardrailsAspect`.
 */
export class EncryptionAtRestAspect implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof SnsTopic) {
      if (node.kmsMasterKeyIdInput === undefined) node.kmsMasterKeyId = Platform.of(node).keyFor(node.provider).arn;
    } else if (node instanceof SqsQueue) {
      if (node.kmsMasterKeyIdInput !== undefined) return;
      const sse = node.sqsManagedSseEnabledInput;
      if (sse === true || Token.isUnresolved(sse)) return;
      if (sse === false) {
        Annotations.of(node).addError(
          `SQS queue ${node.node.path} disables encryption (sqsManagedSseEnabled: false): remove it (the platform key is then used) or set kmsMasterKeyId.`,
        );
        return;
      }
      node.kmsMasterKeyId = Platform.of(node).keyFor(node.provider).arn;
    } else if (node instanceof DynamodbTable) {
      const sse = node.serverSideEncryptionInput;
      if (sse === undefined) {
        node.putServerSideEncryption({ enabled: true, kmsKeyArn: Platform.of(node).keyFor(node.provider).arn });
      } else if (sse.enabled === false) {
        Annotations.of(node).addError(
          `DynamoDB table ${node.node.path} sets serverSideEncryption.enabled false (AWS-owned key, no control, no audit): remove the block (the platform key is then used) or enable it with a customer managed key.`,
        );
      }
    }
  }
}
