import type { Readable } from "node:stream";
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { StandardRetryStrategy } from "@smithy/core/retry";
import { Hash } from "@smithy/core/serde";
import { HttpRequest } from "@smithy/core/transport";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { SignatureV4 } from "@smithy/signature-v4";
import { isTransientAwsError } from "./aws-error";
import { hostHeader, type Endpoint } from "./aws-endpoint";

/**
 * Signed HTTP to AWS for the few calls a Lambda bundle makes to services whose SDK client costs far
 * more than the call (S3's client is ~100 KB of checksums, event streams and S3 Express for one GET).
 * It is built from the pieces every SDK client already carries (SigV4 signer, Node HTTP handler,
 * the standard retry strategy, the default credential chain), so it adds next to nothing to a bundle.
 * One job: sign, send, retry, and turn an AWS error response into an error the project's helpers
 * (`awsErrorName`, `isTransientAwsError`) read like an SDK error.
 */

/** AWS credentials, as the SDK's providers return them. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

/** Settings of a signed-HTTP client; the field names are those of SDK client configs and `clientSettings`. */
export interface SignedHttpOptions {
  region: string;
  /** Fixed credentials or a provider; default: the SDK's default chain (in Lambda bundles, the environment). */
  credentials?: AwsCredentials | (() => Promise<AwsCredentials>);
  /** Attempts per call including the first (default 4, like `clientSettings`). */
  maxAttempts?: number;
  requestHandler?: {
    /** Milliseconds to establish the connection. */
    connectionTimeout?: number;
    /** Milliseconds to wait for the response headers, and the longest silence while the body streams. */
    requestTimeout?: number;
  };
}

/** One request, before signing. */
export interface SignedRequest {
  method: "GET" | "HEAD" | "POST" | "PUT" | "DELETE";
  endpoint: Endpoint;
  /** URI-encoded path below the endpoint's base path, starting with `/`. */
  path: string;
  /** Decoded query parameters (encoded when sent and signed). */
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Uint8Array;
}

/** A 2xx response; its body is a Node stream the caller must read or destroy. */
export interface SignedResponse {
  statusCode: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  body: Readable;
  /** Attempts it took (1 = no retry). */
  attempts: number;
}

/**
 * An AWS error response, shaped like an SDK service exception: `name` is the service's error code
 * (`NoSuchKey`, `TooManyRequestsException`), `$metadata.httpStatusCode` the status.
 */
export class AwsHttpError extends Error {
  readonly $fault: "client" | "server";
  readonly $metadata: { httpStatusCode: number; requestId?: string; attempts?: number };

  constructor(name: string, message: string, statusCode: number, requestId?: string) {
    super(message);
    this.name = name;
    this.$fault = statusCode >= 500 ? "server" : "client";
    this.$metadata = { httpStatusCode: statusCode, ...(requestId ? { requestId } : {}) };
  }
}

/** SHA-256 of an empty payload: what a GET (no body) signs, and S3's `x-amz-content-sha256`. */
export const EMPTY_PAYLOAD_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/** Error codes that mean "slow down", whatever the status. */
const THROTTLING = new Set([
  "Throttling",
  "ThrottlingException",
  "ThrottledException",
  "TooManyRequestsException",
  "RequestLimitExceeded",
  "SlowDown",
  "RequestThrottled",
  "RequestThrottledException",
  "ProvisionedThroughputExceededException",
]);
const RETRY_STATUS = new Set([500, 502, 503, 504]);

type RetryErrorType = "THROTTLING" | "TRANSIENT";

/** How to retry a failed attempt, or undefined when retrying cannot help (4xx other than throttling, an unknown error). */
export function retryClass(e: unknown): RetryErrorType | undefined {
  if (e instanceof AwsHttpError) {
    if (e.$metadata.httpStatusCode === 429 || THROTTLING.has(e.name)) return "THROTTLING";
    if (RETRY_STATUS.has(e.$metadata.httpStatusCode) || e.name === "RequestTimeout") return "TRANSIENT";
    return undefined;
  }
  // No response: a refused, reset or timed-out connection is worth another try.
  return isTransientAwsError(e) || /socket hang up/.test((e as Error)?.message ?? "") ? "TRANSIENT" : undefined;
}

const MAX_ERROR_BODY = 64 * 1024;

/**
 * Signs requests for one service and region with SigV4, sends them over a keep-alive connection
 * pool, and retries throttling, 500/502/503/504 and network failures with the SDK's standard
 * strategy (full-jitter exponential backoff, a retry quota shared by the client's calls).
 */
export class SignedHttpClient {
  private readonly signer: SignatureV4;
  private readonly handler: NodeHttpHandler;
  private readonly retry: StandardRetryStrategy;

  constructor(
    private readonly opts: SignedHttpOptions & {
      /** The signing name, e.g. `s3`, `lambda`. */
      service: string;
      /** False for S3, which signs the path as sent; other services sign it encoded once more. */
      uriEscapePath?: boolean;
    },
  ) {
    this.signer = new SignatureV4({
      service: opts.service,
      region: opts.region,
      credentials: opts.credentials ?? defaultProvider(),
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: opts.uriEscapePath ?? true,
    });
    const { connectionTimeout = 3_000, requestTimeout = 30_000 } = opts.requestHandler ?? {};
    // throwOnRequestTimeout: without it the handler only logs a warning when the timeout passes.
    this.handler = new NodeHttpHandler({ connectionTimeout, requestTimeout, throwOnRequestTimeout: true, socketTimeout: requestTimeout });
    this.retry = new StandardRetryStrategy(opts.maxAttempts ?? 4);
  }

  /** Sends `req` (signed afresh on every attempt); resolves with a 2xx response, else throws the last attempt's error. */
  async send(req: SignedRequest): Promise<SignedResponse> {
    let token = await this.retry.acquireInitialRetryToken(this.opts.service);
    for (let attempts = 1; ; attempts++) {
      try {
        const res = await this.attempt(req);
        this.retry.recordSuccess(token);
        return { ...res, attempts };
      } catch (e) {
        if (e instanceof AwsHttpError) e.$metadata.attempts = attempts;
        const errorType = retryClass(e);
        if (!errorType) throw e;
        try {
          token = await this.retry.refreshRetryTokenForRetry(token, { errorType });
        } catch {
          throw e; // attempts or retry quota used up
        }
      }
    }
  }

  /** Closes the pooled connections (tests; a Lambda container simply ends). */
  destroy(): void {
    this.handler.destroy();
  }

  private async attempt(req: SignedRequest): Promise<Omit<SignedResponse, "attempts">> {
    const e = req.endpoint;
    const request = new HttpRequest({
      method: req.method,
      protocol: e.protocol,
      hostname: e.hostname,
      ...(e.port !== undefined ? { port: e.port } : {}),
      path: `${e.basePath}${req.path}`,
      query: req.query ?? {},
      headers: {
        host: hostHeader(e),
        "user-agent": "trailwatch",
        ...(req.body ? { "content-length": String(req.body.byteLength) } : {}),
        ...req.headers,
      },
      ...(req.body ? { body: req.body } : {}),
    });
    const signed = await this.signer.sign(request);
    const { response } = await this.handler.handle(signed as HttpRequest);
    const body = response.body as Readable;
    const headers = response.headers as Record<string, string>;
    if (response.statusCode >= 200 && response.statusCode < 300) return { statusCode: response.statusCode, headers, body };
    throw errorFromResponse(response.statusCode, headers, await readText(body, MAX_ERROR_BODY), req.method);
  }
}

/** Reads up to `max` bytes of a body as text (an error document), then drops the rest. */
async function readText(body: Readable, max: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of body) {
      const b = typeof c === "string" ? Buffer.from(c) : (c as Buffer);
      if (size < max) chunks.push(b);
      size += b.length;
    }
  } catch {
    // A broken error body still leaves the status to report.
  }
  return Buffer.concat(chunks).toString("utf8").slice(0, max);
}

const STATUS_NAMES: Record<number, string> = { 301: "PermanentRedirect", 400: "BadRequest", 403: "Forbidden", 404: "NotFound", 429: "TooManyRequestsException", 500: "InternalError", 502: "BadGateway", 503: "ServiceUnavailable", 504: "GatewayTimeout" };

/**
 * An {@link AwsHttpError} from an error response: S3's XML (`<Code>`, `<Message>`), or the JSON of
 * REST-JSON services such as Lambda (`x-amzn-ErrorType` header, `__type`/`code`/`Type` and
 * `message`/`Message` in the body). A body without a code (HEAD, a proxy's page) is named after the status.
 */
export function errorFromResponse(status: number, headers: Record<string, string>, text: string, method = "GET"): AwsHttpError {
  let name: string | undefined;
  let message: string | undefined;
  const header = headers["x-amzn-errortype"];
  if (header) name = header.split(":")[0];
  const trimmed = text.trim();
  if (trimmed.startsWith("<")) {
    name ??= xmlText(trimmed, "Code");
    message = xmlText(trimmed, "Message");
  } else if (trimmed.startsWith("{")) {
    try {
      const j = JSON.parse(trimmed) as Record<string, unknown>;
      const str = (k: string) => (typeof j[k] === "string" ? (j[k] as string) : undefined);
      // `Type` is Lambda's fault side ("User"/"Service") in most answers, a code only in some.
      const type = str("Type");
      name ??= (str("__type") ?? str("code") ?? str("Code") ?? (type && type !== "User" && type !== "Service" ? type : undefined))?.split("#").pop()?.split(":")[0];
      message = str("message") ?? str("Message") ?? str("errorMessage");
    } catch {
      // not JSON after all: keep the status
    }
  }
  name ||= STATUS_NAMES[status] ?? `Http${status}`;
  const region = headers["x-amz-bucket-region"];
  message ||= method === "HEAD" || !trimmed ? `HTTP ${status}` : `HTTP ${status}: ${trimmed.slice(0, 200)}`;
  if (region && status === 301) message += ` (the bucket is in ${region})`;
  return new AwsHttpError(name, message, status, headers["x-amzn-requestid"] ?? headers["x-amz-request-id"]);
}

/** The text of the first `<tag>` of an XML document, entities decoded. */
export function xmlText(xml: string, tag: string): string | undefined {
  const m = new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml);
  return m ? xmlUnescape(m[1]!) : undefined;
}

/** Decodes XML's five named entities and numeric character references. */
export function xmlUnescape(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|amp|lt|gt|quot|apos);/g, (_, ent: string) => {
    if (ent[0] === "#") return String.fromCodePoint(ent[1] === "x" ? parseInt(ent.slice(2), 16) : parseInt(ent.slice(1), 10));
    return ({ amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" } as Record<string, string>)[ent]!;
  });
}

/** Reads a whole response body. */
export async function readBody(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(typeof c === "string" ? Buffer.from(c) : (c as Buffer));
  return Buffer.concat(chunks);
}
