/**
 * A small HTTP proxy in front of moto: every provider endpoint points at it, and it forwards each
 * request to moto unchanged, except where moto 5.2.1 lacks what AWS does. There it answers or
 * corrects, each time the way AWS does, so the lifecycle test's apply and re-plan exercise the stack
 * rather than the emulator's gaps:
 *
 * - Step Functions `ValidateStateMachineDefinition` (the provider calls it before create and
 *   update; moto does not implement it): the definition is checked with asl-validator, so an
 *   invalid definition fails the apply as it would in AWS (`result: "FAIL"`, with diagnostics).
 * - Step Functions `ListStateMachineVersions` (called on every read; not implemented): the stack
 *   never publishes versions (`publish` is off), so AWS answers an empty list; a state machine moto
 *   does not know gets moto's own `StateMachineDoesNotExist` (asked with DescribeStateMachine).
 * - Lambda `LoggingConfig`: moto accepts it on CreateFunction and UpdateFunctionConfiguration but
 *   leaves it out of GetFunction; the proxy returns what was last set, as Lambda does. Without it
 *   every function shows a change on re-plan, and every policy document that names a function is
 *   deferred to apply, which would hide any real policy drift behind "known after apply".
 * - SQS `RedrivePolicy`: moto re-serializes the JSON with spaces (`{"a": 1}`); SQS returns it
 *   compact, as it was sent. Same cascade as above otherwise.
 *
 * What moto still does not round-trip is listed, with the reason, where the test asserts the re-plan.
 */
import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import validator = require("asl-validator");
import { listenOnLoopback } from "./loopback";

export interface MotoGapProxy {
  endpoint: string;
  /** Requests the proxy answered or corrected itself, by action. */
  handled: Record<string, number>;
  /** State machine definitions ValidateStateMachineDefinition was asked about, with the verdict. */
  validations: { valid: boolean; diagnostics: string[] }[];
  stop(): Promise<void>;
}

const SFN = "AWSStepFunctions.";
const LAMBDA_FUNCTION = /^\/2015-03-31\/functions\/([^/?]+)(\/configuration)?(?:\?.*)?$/;

interface Upstream {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export async function startMotoGapProxy(upstream: string): Promise<MotoGapProxy> {
  const handled: Record<string, number> = {};
  const count = (action: string) => (handled[action] = (handled[action] ?? 0) + 1);
  const validations: MotoGapProxy["validations"] = [];
  /** LoggingConfig by function name, as last set. */
  const loggingConfigs = new Map<string, unknown>();
  const target = new URL(upstream);

  const send = (method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Upstream> =>
    new Promise((resolve, reject) => {
      const out = httpRequest({ host: target.hostname, port: target.port, method, path, headers: { ...headers, host: target.host } }, (up) => {
        const chunks: Buffer[] = [];
        up.on("data", (c: Buffer) => chunks.push(c));
        up.on("end", () => resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }));
        up.on("error", reject);
      });
      out.on("error", reject);
      out.end(body);
    });

  const reply = (res: ServerResponse, status: number, headers: IncomingHttpHeaders, body: Buffer | string): void => {
    const buf = typeof body === "string" ? Buffer.from(body) : body;
    const h: IncomingHttpHeaders = { ...headers, "content-length": String(buf.length) };
    delete h["transfer-encoding"];
    res.writeHead(status, h as Record<string, string>);
    res.end(buf);
  };
  const json = (res: ServerResponse, status: number, value: unknown): void =>
    reply(res, status, { "content-type": "application/x-amz-json-1.0" }, JSON.stringify(value));

  /** Streams a request to moto and its answer back, untouched (most requests). */
  const pipeThrough = (req: IncomingMessage, body: Buffer, res: ServerResponse): void => {
    const out = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    out.on("error", (e) => json(res, 502, { __type: "ServiceUnavailable", message: `proxy could not reach moto: ${e.message}` }));
    out.end(body);
  };

  const validate = (res: ServerResponse, body: Buffer): void => {
    count("sfn:ValidateStateMachineDefinition");
    let definition: unknown;
    try {
      definition = JSON.parse((JSON.parse(body.toString()) as { definition?: string }).definition ?? "");
    } catch (e) {
      validations.push({ valid: false, diagnostics: [`not JSON: ${(e as Error).message}`] });
      return json(res, 200, { result: "FAIL", diagnostics: [{ severity: "ERROR", code: "INVALID_JSON_DESCRIPTION", message: (e as Error).message }], truncated: false });
    }
    const verdict = validator(definition);
    const diagnostics = verdict.errors.map((e) => e.message ?? e.Message ?? JSON.stringify(e));
    validations.push({ valid: verdict.isValid, diagnostics });
    json(res, 200, {
      result: verdict.isValid ? "OK" : "FAIL",
      diagnostics: diagnostics.map((message) => ({ severity: "ERROR", code: "SCHEMA_VALIDATION_FAILED", message })),
      truncated: false,
    });
  };

  const listVersions = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    count("sfn:ListStateMachineVersions");
    const { stateMachineArn } = JSON.parse(body.toString()) as { stateMachineArn: string };
    const payload = Buffer.from(JSON.stringify({ stateMachineArn }));
    const known = await send("POST", "/", { ...req.headers, "x-amz-target": `${SFN}DescribeStateMachine`, "content-length": String(payload.length) }, payload);
    if (known.status !== 200) return reply(res, known.status, known.headers, known.body);
    json(res, 200, { stateMachineVersions: [] });
  };

  /** Lambda: remember LoggingConfig on the way in, put it back into the function's configuration on the way out. */
  const lambda = async (req: IncomingMessage, res: ServerResponse, body: Buffer, name: string | undefined): Promise<void> => {
    const sent = body.length > 0 && (req.method === "POST" || req.method === "PUT") ? (JSON.parse(body.toString()) as { FunctionName?: string; LoggingConfig?: unknown }) : undefined;
    const up = await send(req.method!, req.url!, req.headers, body);
    const fn = decodeURIComponent(name ?? sent?.FunctionName ?? "");
    if (up.status >= 300) return reply(res, up.status, up.headers, up.body);
    if (req.method === "DELETE") {
      loggingConfigs.delete(fn);
      return reply(res, up.status, up.headers, up.body);
    }
    if (sent?.LoggingConfig !== undefined) loggingConfigs.set(fn, sent.LoggingConfig);
    const logging = loggingConfigs.get(fn);
    if (logging === undefined || up.body.length === 0) return reply(res, up.status, up.headers, up.body);
    const doc = JSON.parse(up.body.toString()) as Record<string, unknown> & { Configuration?: Record<string, unknown> };
    const config = doc.Configuration ?? doc;
    if (config.LoggingConfig === undefined) {
      config.LoggingConfig = logging;
      count("lambda:LoggingConfig");
    }
    reply(res, up.status, up.headers, JSON.stringify(doc));
  };

  /** SQS (JSON protocol): RedrivePolicy as SQS returns it, compact. */
  const sqsAttributes = async (req: IncomingMessage, res: ServerResponse, body: Buffer): Promise<void> => {
    const up = await send(req.method!, req.url!, req.headers, body);
    if (up.status !== 200) return reply(res, up.status, up.headers, up.body);
    const doc = JSON.parse(up.body.toString()) as { Attributes?: Record<string, string> };
    for (const key of ["RedrivePolicy", "RedriveAllowPolicy"]) {
      const v = doc.Attributes?.[key];
      if (v !== undefined && JSON.stringify(JSON.parse(v)) !== v) {
        doc.Attributes![key] = JSON.stringify(JSON.parse(v));
        count(`sqs:${key}`);
      }
    }
    reply(res, up.status, up.headers, JSON.stringify(doc));
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const amzTarget = String(req.headers["x-amz-target"] ?? "");
      const path = req.url ?? "/";
      const fn = LAMBDA_FUNCTION.exec(path);
      void (async () => {
        if (amzTarget === `${SFN}ValidateStateMachineDefinition`) return validate(res, body);
        if (amzTarget === `${SFN}ListStateMachineVersions`) return listVersions(req, res, body);
        if (amzTarget === "AmazonSQS.GetQueueAttributes") return sqsAttributes(req, res, body);
        if (path === "/2015-03-31/functions" && req.method === "POST") return lambda(req, res, body, undefined);
        if (fn && (fn[2] || req.method === "GET" || req.method === "DELETE")) return lambda(req, res, body, fn[1]);
        pipeThrough(req, body, res);
      })().catch((e: Error) => json(res, 500, { __type: "InternalFailure", message: `moto gap proxy: ${e.message}` }));
    });
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    handled,
    validations,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
