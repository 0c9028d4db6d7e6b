import { endpointFromEnv, serviceEndpoint, uriEncode, type Endpoint, type EndpointOverride } from "./aws-endpoint";
import { SignedHttpClient, readBody, type SignedHttpOptions } from "./signed-http";

/** Settings of {@link LambdaHttpClient}: those of an SDK Lambda client that it honours. */
export interface LambdaHttpOptions extends SignedHttpOptions, EndpointOverride {}

/** What a synchronous invoke returned. */
export interface LambdaInvokeResult {
  statusCode: number;
  /** Set when the function failed (`Unhandled`, `Handled`); `payload` is then its error document. */
  functionError?: string;
  executedVersion?: string;
  payload: Uint8Array;
}

/** Invokes a function synchronously (implemented by {@link LambdaHttpClient}). */
export interface LambdaInvoker {
  invoke(functionName: string, payload: Uint8Array): Promise<LambdaInvokeResult>;
}

/**
 * Lambda's Invoke (RequestResponse) over {@link SignedHttpClient} instead of the Lambda SDK client.
 * Service errors (`AccessDeniedException`, `TooManyRequestsException`, ...) are `AwsHttpError`s;
 * a function that ran and failed is not an error here but `functionError` of the result.
 */
export class LambdaHttpClient implements LambdaInvoker {
  private readonly http: SignedHttpClient;
  private readonly endpoint: Endpoint;

  /** Without `endpoint`, `AWS_ENDPOINT_URL_LAMBDA` / `AWS_ENDPOINT_URL` apply as for SDK clients. */
  constructor(opts: LambdaHttpOptions) {
    this.http = new SignedHttpClient({ ...opts, service: "lambda" });
    const endpoint = opts.endpoint ?? endpointFromEnv("Lambda");
    this.endpoint = serviceEndpoint("lambda", opts.region, endpoint ? { endpoint } : {});
  }

  /** POST /2015-03-31/functions/{name}/invocations; `functionName` is a name, ARN or `name:qualifier`. */
  async invoke(functionName: string, payload: Uint8Array): Promise<LambdaInvokeResult> {
    const res = await this.http.send({
      method: "POST",
      endpoint: this.endpoint,
      path: `/2015-03-31/functions/${uriEncode(functionName)}/invocations`,
      headers: { "content-type": "application/octet-stream", "x-amz-invocation-type": "RequestResponse" },
      body: payload,
    });
    const h = res.headers;
    return {
      statusCode: res.statusCode,
      ...(h["x-amz-function-error"] ? { functionError: h["x-amz-function-error"] } : {}),
      ...(h["x-amz-executed-version"] ? { executedVersion: h["x-amz-executed-version"] } : {}),
      payload: await readBody(res.body),
    };
  }

  /** Closes the pooled connections (tests; a Lambda container simply ends). */
  destroy(): void {
    this.http.destroy();
  }
}
