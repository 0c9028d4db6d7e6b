import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { sigV4Problem, type SigV4Expectation } from "./sigv4-verifier";
import { listenOnLoopback } from "./loopback";

/**
 * A small local AWS Lambda for tests: it speaks the Invoke API (`POST
 * /2015-03-31/functions/{FunctionName}/invocations`, `X-Amz-Invocation-Type`, the function's
 * answer as the body, `X-Amz-Function-Error` when it threw, service errors as JSON with
 * `x-amzn-ErrorType`) and verifies every request's SigV4 signature by recomputing it, answering
 * 403 InvalidSignatureException when it does not match (as Lambda does), so a signing bug fails the test.
 */

/** A function body: gets the parsed event, returns the answer (JSON-serialised) or throws (a function error). */
export type LocalFunction = (event: unknown) => unknown | Promise<unknown>;

/** An answer sent as it is rather than as JSON (what a custom runtime may return). */
export class RawPayload {
  constructor(readonly text: string) {}
}

/** A service-side failure for the next request(s): an error answer, or no answer at all. */
export type LambdaFault = { status: number; type: string; message: string } | "hang";

export interface InvokeRecord {
  method: string;
  /** As received (URI-encoded). */
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Why the signature is not valid; undefined when it is. */
  signatureProblem?: string;
  /** Status answered; undefined for a hang. */
  status?: number;
}

export interface LocalLambda {
  /** e.g. `http://127.0.0.1:40123`: pass as the client's `endpoint`. */
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requests: InvokeRecord[];
  /** Registers (or replaces) a function by name. */
  setFunction(name: string, fn: LocalFunction): void;
  /** The next `n` (signed) invoke requests get `fault` instead of running the function. */
  failNext(n: number, fault: LambdaFault): void;
  stop(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;
const ACCOUNT = "111122223333";

/** Starts the server on 127.0.0.1 with an ephemeral port. */
export async function startLambdaServer(opts: { region?: string; functions?: Record<string, LocalFunction> } = {}): Promise<LocalLambda> {
  const region = opts.region ?? "us-east-1";
  const expect: SigV4Expectation = { service: "lambda", region, credentials: { accessKeyId: "AKIDLOCALLAMBDA", secretAccessKey: "local-lambda-secret" } };
  const functions = new Map(Object.entries(opts.functions ?? {}));
  const faults: LambdaFault[] = [];
  const requests: InvokeRecord[] = [];

  /** A function name, partial ARN or full ARN (optionally `:qualifier`) to the function's name. */
  const functionName = (id: string): string => {
    const arn = /^arn:aws[\w-]*:lambda:[\w-]+:\d{12}:function:([\w-]+)(:[\w$-]+)?$/.exec(id);
    if (arn) return arn[1]!;
    return id.split(":")[0]!;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      void (async () => {
        const body = Buffer.concat(chunks);
        const rec: InvokeRecord = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: body.toString("utf8") };
        requests.push(rec);
        const answer = (status: number, payload: string, headers: Record<string, string> = {}) => {
          rec.status = status;
          res.writeHead(status, { "content-type": "application/json", "x-amzn-requestid": `req-${requests.length}`, "content-length": Buffer.byteLength(payload), ...headers });
          res.end(payload);
        };
        const error = (status: number, type: string, message: string, extra: Record<string, unknown> = {}) =>
          answer(status, JSON.stringify({ Type: status >= 500 ? "Service" : "User", message, ...extra }), { "x-amzn-errortype": type });

        rec.signatureProblem = await sigV4Problem({ method: rec.method, url: rec.url, headers: req.headers, body }, expect);
        if (rec.signatureProblem) return error(403, "InvalidSignatureException", `The request signature we calculated does not match the signature you provided. (${rec.signatureProblem})`);
        const m = INVOKE_PATH.exec((req.url ?? "").split("?")[0]!);
        if (req.method !== "POST" || !m) return error(404, "UnknownOperationException", `Unknown operation ${req.method} ${req.url}`);
        const fault = faults.shift();
        if (fault === "hang") return; // never answered: the client must time out
        if (fault) return error(fault.status, fault.type, fault.message);
        const name = functionName(decodeURIComponent(m[1]!));
        const fn = functions.get(name);
        if (!fn) return error(404, "ResourceNotFoundException", `Function not found: arn:aws:lambda:${region}:${ACCOUNT}:function:${name}`);
        const type = req.headers["x-amz-invocation-type"] ?? "RequestResponse";
        if (type !== "RequestResponse" && type !== "Event" && type !== "DryRun") return error(400, "InvalidParameterValueException", `invalid invocation type ${String(type)}`);
        let event: unknown;
        try {
          event = body.length ? JSON.parse(body.toString("utf8")) : {};
        } catch {
          return error(400, "InvalidRequestContentException", "Could not parse request body into json");
        }
        if (type === "DryRun") return answer(204, "");
        if (type === "Event") {
          void Promise.resolve().then(() => fn(event)).catch(() => undefined);
          return answer(202, "");
        }
        try {
          const out = await fn(event);
          const text = out instanceof RawPayload ? out.text : JSON.stringify(out === undefined ? null : out);
          return answer(200, text, { "x-amz-executed-version": "$LATEST" });
        } catch (e) {
          const err = e as Error;
          return answer(200, JSON.stringify({ errorType: err?.name ?? "Error", errorMessage: err?.message ?? String(e), trace: [] }), {
            "x-amz-function-error": "Unhandled",
            "x-amz-executed-version": "$LATEST",
          });
        }
      })();
    });
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    region,
    credentials: expect.credentials,
    requests,
    setFunction: (name, fn) => void functions.set(name, fn),
    failNext(n, fault) {
      for (let i = 0; i < n; i++) faults.push(fault);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
