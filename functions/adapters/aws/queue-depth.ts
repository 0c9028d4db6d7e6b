import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { awsErrorName } from "./aws-error";
import { partitionOfRegion } from "../../core/aws/partition";

/** An SQS queue by URL, with the region and account its URL names. */
export interface QueueRef {
  url: string;
  region: string;
  account: string;
  name: string;
  /** `arn:<partition>:sqs:<region>:<account>:<name>`. */
  arn: string;
}

const QUEUE_URL = /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/(\d{12})\/([A-Za-z0-9_-]{1,80}(\.fifo)?)$/;

/** Parses `https://sqs.<region>.amazonaws.com/<account>/<name>`; undefined when it is not one. */
export function parseQueueUrl(url: string): QueueRef | undefined {
  const m = QUEUE_URL.exec(url.trim());
  if (!m) return undefined;
  const [, region, cn, account, name] = m;
  const partition = cn ? "aws-cn" : partitionOfRegion(region);
  return { url: url.trim(), region: region!, account: account!, name: name!, arn: `arn:${partition}:sqs:${region}:${account}:${name}` };
}

/** Reading a queue's depth failed; `errorName` is the AWS error code. */
export class QueueDepthError extends Error {
  override name = "QueueDepthError";
  constructor(
    message: string,
    readonly errorName: string,
  ) {
    super(message);
  }
}

/**
 * How many messages wait in a queue (visible plus in flight), from GetQueueAttributes in the
 * queue's region. Used by the heartbeat for queues no CloudWatch alarm can report (a dead-letter
 * queue in another region than the alert topic).
 */
export class QueueDepth {
  constructor(private readonly sqs: (region: string) => SQSClient) {}

  async messages(q: QueueRef): Promise<number> {
    try {
      const out = await this.sqs(q.region).send(
        new GetQueueAttributesCommand({ QueueUrl: q.url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }),
      );
      const a = out.Attributes ?? {};
      return Number(a.ApproximateNumberOfMessages ?? 0) + Number(a.ApproximateNumberOfMessagesNotVisible ?? 0);
    } catch (e) {
      const name = awsErrorName(e);
      throw new QueueDepthError(`GetQueueAttributes ${q.url} failed: ${name}: ${(e as Error).message}`, name);
    }
  }
}
