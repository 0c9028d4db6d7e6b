import type { SendMessageBatchCommandInput, SendMessageBatchCommandOutput } from "@aws-sdk/client-sqs";
import { endpointFromEnv, serviceEndpoint, type Endpoint, type EndpointOverride } from "./aws-endpoint";
import { readBody, SignedHttpClient, type SignedHttpOptions } from "./signed-http";

/** SQS's SendMessageBatch, the one SQS call the alert-publishing functions make. */
export interface SqsSendMessageBatchApi {
  sendMessageBatch(input: SendMessageBatchCommandInput): Promise<Pick<SendMessageBatchCommandOutput, "Successful" | "Failed">>;
}

/** Settings of {@link SqsHttpClient}: those of an SDK SQS client that it honours. */
export interface SqsHttpOptions extends SignedHttpOptions, EndpointOverride {}

/**
 * SQS SendMessageBatch over {@link SignedHttpClient} (AWS JSON 1.0: a POST with
 * `X-Amz-Target: AmazonSQS.SendMessageBatch` whose body is the operation's input as the SDK client
 * takes it), instead of the SQS SDK client: the log analyzer, trail guard and scoring alert function
 * send to the undeliverable-alerts queue, and the client's ~45 KB would take the analyzer's bundle
 * to its 500 KB limit. Errors are `AwsHttpError`s named with SQS's code (`QueueDoesNotExist`,
 * `KmsAccessDenied`); throttling is retried. Tested against moto's SQS and on the wire against the SDK.
 */
export class SqsHttpClient implements SqsSendMessageBatchApi {
  private readonly http: SignedHttpClient;
  private readonly endpoint: Endpoint;

  /** Without `endpoint`, `AWS_ENDPOINT_URL_SQS` / `AWS_ENDPOINT_URL` apply as for SDK clients. */
  constructor(opts: SqsHttpOptions) {
    this.http = new SignedHttpClient({ ...opts, service: "sqs" });
    const endpoint = opts.endpoint ?? endpointFromEnv("SQS");
    this.endpoint = serviceEndpoint("sqs", opts.region, endpoint ? { endpoint } : {});
  }

  async sendMessageBatch(input: SendMessageBatchCommandInput): Promise<Pick<SendMessageBatchCommandOutput, "Successful" | "Failed">> {
    const res = await this.http.send({
      method: "POST",
      endpoint: this.endpoint,
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessageBatch" },
      body: Buffer.from(JSON.stringify(input), "utf8"),
    });
    const text = (await readBody(res.body)).toString("utf8");
    return (text ? JSON.parse(text) : {}) as Pick<SendMessageBatchCommandOutput, "Successful" | "Failed">;
  }

  /** Closes the pooled connections (tests; a Lambda container simply ends). */
  destroy(): void {
    this.http.destroy();
  }
}
