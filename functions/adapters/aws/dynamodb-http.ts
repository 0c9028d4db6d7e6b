import type { GetItemCommandInput, GetItemCommandOutput, UpdateItemCommandInput, UpdateItemCommandOutput } from "@aws-sdk/client-dynamodb";
import { endpointFromEnv, serviceEndpoint, type Endpoint, type EndpointOverride } from "./aws-endpoint";
import { readBody, SignedHttpClient, type SignedHttpOptions } from "./signed-http";

/** The item calls the idempotency store and the alert ledger make (implemented by {@link DynamoDbHttpClient}). */
export interface DynamoItemApi {
  updateItem(input: UpdateItemCommandInput): Promise<Pick<UpdateItemCommandOutput, "Attributes">>;
  getItem(input: GetItemCommandInput): Promise<Pick<GetItemCommandOutput, "Item">>;
}

/** Settings of {@link DynamoDbHttpClient}: those of an SDK DynamoDB client that it honours. */
export interface DynamoDbHttpOptions extends SignedHttpOptions, EndpointOverride {}

/**
 * DynamoDB's UpdateItem and GetItem over {@link SignedHttpClient} (AWS JSON 1.0: a POST with
 * `X-Amz-Target: DynamoDB_20120810.<Operation>` whose body is the operation's input as the low-level
 * SDK client takes it), instead of the DynamoDB SDK client. With the S3 and Lambda clients already
 * gone from the log analyzer, this client was its largest remaining one (~57 KB with its JSON
 * protocol code); the trail guard needs it only for the alert ledger. Errors are `AwsHttpError`s
 * named with DynamoDB's code (`ConditionalCheckFailedException`, `ResourceNotFoundException`);
 * throttling is retried. Tested against dynalite.
 */
export class DynamoDbHttpClient implements DynamoItemApi {
  private readonly http: SignedHttpClient;
  private readonly endpoint: Endpoint;

  /** Without `endpoint`, `AWS_ENDPOINT_URL_DYNAMODB` / `AWS_ENDPOINT_URL` apply as for SDK clients. */
  constructor(opts: DynamoDbHttpOptions) {
    this.http = new SignedHttpClient({ ...opts, service: "dynamodb" });
    const endpoint = opts.endpoint ?? endpointFromEnv("DynamoDB");
    this.endpoint = serviceEndpoint("dynamodb", opts.region, endpoint ? { endpoint } : {});
  }

  updateItem(input: UpdateItemCommandInput): Promise<Pick<UpdateItemCommandOutput, "Attributes">> {
    return this.call("UpdateItem", input);
  }

  getItem(input: GetItemCommandInput): Promise<Pick<GetItemCommandOutput, "Item">> {
    return this.call("GetItem", input);
  }

  /** Closes the pooled connections (tests; a Lambda container simply ends). */
  destroy(): void {
    this.http.destroy();
  }

  private async call<T>(operation: string, input: unknown): Promise<T> {
    const res = await this.http.send({
      method: "POST",
      endpoint: this.endpoint,
      path: "/",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` },
      body: Buffer.from(JSON.stringify(input), "utf8"),
    });
    const text = (await readBody(res.body)).toString("utf8");
    return (text ? JSON.parse(text) : {}) as T;
  }
}
