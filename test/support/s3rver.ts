import { mkdtemp, rm } from "node:fs/promises";
import type { IncomingHttpHeaders, Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { clientPool } from "./client-pool";
import { listenOnLoopback } from "./loopback";

/** The part of s3rver's API these helpers use (the package ships no types). */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
  httpServer?: Server;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => S3rverInstance;

/** A running s3rver and a client configured for it. */
export interface LocalS3 {
  /** e.g. `http://127.0.0.1:41234` */
  endpoint: string;
  /** Path-style, checksums only when required (s3rver stores aws-chunked bodies corrupted otherwise). */
  client: S3Client;
  /** A fresh client for the same server, e.g. for code under test that builds its own. */
  makeClient(): S3Client;
  /** Stops the server, destroys the clients made here and removes its data directory. */
  stop(): Promise<void>;
}

/** The s3rver credentials (s3rver knows this key pair). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/**
 * Options every S3 client pointed at s3rver (or a fault injector before it) needs (see TOOLCHAIN.md):
 * path-style, checksums only when required (s3rver stores aws-chunked bodies corrupted otherwise),
 * one attempt unless `maxAttempts`.
 */
export function s3rverClientConfig(endpoint: string, opts: { maxAttempts?: number } = {}) {
  return {
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
    credentials: S3RVER_CREDENTIALS,
    maxAttempts: opts.maxAttempts ?? 1,
  };
}

/** The clients a {@link LocalS3} hands out for a server at `endpoint`, and how to close them all. */
export function localS3Clients(endpoint: string): Pick<LocalS3, "client" | "makeClient"> & { destroy: () => void } {
  const { client, makeClient, destroyAll } = clientPool(() => new S3Client(s3rverClientConfig(endpoint)));
  return { client, makeClient, destroy: destroyAll };
}

/** An S3 XML error document, as S3 answers a refused or failed request. */
export function s3Error(status: number, code: string, message: string): { status: number; headers: Record<string, string>; body: string } {
  return {
    status,
    headers: { "content-type": "application/xml", "x-amz-request-id": "INJECTED" },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message><RequestId>INJECTED</RequestId></Error>`,
  };
}

/** The access key id a SigV4 `Authorization` header names in its credential scope, if any. */
export function accessKeyOf(headers: IncomingHttpHeaders): string | undefined {
  return /Credential=([^/,\s]+)\//.exec(String(headers.authorization ?? ""))?.[1];
}

/**
 * Starts s3rver on 127.0.0.1 with an ephemeral port and its own temporary directory, with the
 * given buckets created. Always call `stop()` (in `afterAll`).
 */
export async function startS3rver(opts: { buckets?: string[] } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "trailwatch-s3rver-"));
  const server = new S3rver({
    address: "127.0.0.1",
    port: 0,
    silent: true,
    directory,
    configureBuckets: (opts.buckets ?? []).map((name) => ({ name })),
  });
  const { port } = await server.run();
  const endpoint = `http://127.0.0.1:${port}`;
  const { destroy, ...clients } = localS3Clients(endpoint);
  return {
    endpoint,
    ...clients,
    async stop() {
      destroy();
      // Keep-alive sockets would hold close() open until they time out.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** A reverse proxy in front of a local S3 (s3rver, moto) that can make the next requests fail like AWS does. */
export interface FaultInjector {
  endpoint: string;
  /** The next `count` requests (optionally only those with `method`) get an S3-style XML error instead of reaching the server. */
  failNext(count: number, opts?: { status?: number; code?: string; method?: string }): void;
  /** The next matching response is cut off half-way through its body (a dropped connection). */
  dropBodyNext(count: number, opts?: { method?: string }): void;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  /** The access key each request was signed with, in the order of `requests` ("" when unsigned). */
  readonly accessKeys: string[];
  stop(): Promise<void>;
}

export interface FaultInjectorOptions {
  /**
   * Answer a successful GET with `?versionId=v` with `x-amz-version-id: v`, as a versioned bucket
   * does (s3rver has no versioning and ignores the parameter).
   */
  echoVersionId?: boolean;
  /**
   * The account that owns every bucket: a request whose `x-amz-expected-bucket-owner` names another
   * account gets 403 AccessDenied, as S3 answers (s3rver and moto ignore the header).
   */
  bucketOwner?: string;
  /**
   * The only access keys S3 knows: a request signed with another gets 403 InvalidAccessKeyId, as S3
   * answers (the local servers accept any key). Only the key is checked, not the signature.
   */
  accessKeys?: readonly string[];
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `target` (an s3rver or moto endpoint) and injects the
 * failures tests ask for: throttling (503 SlowDown), 500 InternalError, a connection dropped mid-body;
 * optionally it checks expected bucket owners and access keys and answers like a versioned bucket
 * (see {@link FaultInjectorOptions}). Code under test talks real HTTP to it through the SDK, so its
 * error handling is exercised end to end.
 */
export async function startFaultInjector(target: string, opts: FaultInjectorOptions = {}): Promise<FaultInjector> {
  const { createServer, request } = await import("node:http");
  const to = new URL(target);
  const fails: { status: number; code: string; method?: string }[] = [];
  const drops: { method?: string }[] = [];
  const requests: string[] = [];
  const accessKeys: string[] = [];
  const take = <T extends { method?: string }>(list: T[], method: string | undefined): T | undefined => {
    const i = list.findIndex((f) => !f.method || f.method === method);
    return i >= 0 ? list.splice(i, 1)[0] : undefined;
  };
  const refuse = (req: { resume(): void }, res: ServerResponse, status: number, code: string, message: string) => {
    req.resume();
    const a = s3Error(status, code, message);
    res.writeHead(a.status, { ...a.headers, "content-length": Buffer.byteLength(a.body) });
    res.end(a.body);
  };
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const key = accessKeyOf(req.headers) ?? "";
    accessKeys.push(key);
    const fail = take(fails, req.method);
    if (fail) return refuse(req, res, fail.status, fail.code, `injected ${fail.code}`);
    if (opts.accessKeys && !opts.accessKeys.includes(key)) return refuse(req, res, 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
    const expected = req.headers["x-amz-expected-bucket-owner"];
    if (opts.bucketOwner && expected !== undefined && expected !== opts.bucketOwner) return refuse(req, res, 403, "AccessDenied", "Access Denied");
    const drop = take(drops, req.method);
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      const versionId = opts.echoVersionId && req.method === "GET" && (upRes.statusCode ?? 500) < 300 ? new URL(req.url ?? "/", "http://x").searchParams.get("versionId") : null;
      res.writeHead(upRes.statusCode ?? 502, { ...upRes.headers, ...(versionId ? { "x-amz-version-id": versionId } : {}) });
      if (!drop) {
        upRes.pipe(res);
        return;
      }
      const chunks: Buffer[] = [];
      upRes.on("data", (c: Buffer) => chunks.push(c));
      upRes.on("end", () => {
        const all = Buffer.concat(chunks);
        res.write(all.subarray(0, Math.max(1, Math.floor(all.length / 2))));
        setTimeout(() => res.socket?.destroy(), 5);
      });
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    failNext: (count, opts = {}) => {
      for (let i = 0; i < count; i++) fails.push({ status: opts.status ?? 503, code: opts.code ?? "SlowDown", method: opts.method });
    },
    dropBodyNext: (count, opts = {}) => {
      for (let i = 0; i < count; i++) drops.push({ method: opts.method });
    },
    requests,
    accessKeys,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
