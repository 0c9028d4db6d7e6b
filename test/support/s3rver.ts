import { mkdtemp, rm } from "node:fs/promises";
import type { Server, ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { S3HttpClient, type S3HttpOptions } from "../../functions/adapters/aws/s3-http";
import { clientPool } from "./client-pool";
import { answerPublicAccessBlock, bucketOf, isPublicAccessBlockRequest, s3Error, type S3Answer, type StoredPublicAccessBlock } from "./s3-public-access-block";
import { sigV4Problem } from "./sigv4-verifier";
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
  /** The project's signed-HTTP S3 client (GetObject, ListObjectsV2) for the same server, path-style, no retries. */
  http: S3HttpClient;
  /** Stops the server, destroys the clients made here and removes its data directory. */
  stop(): Promise<void>;
}

/** Options every S3 client pointed at s3rver needs (see TOOLCHAIN.md). */
export function s3rverClientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    forcePathStyle: true,
    requestChecksumCalculation: "WHEN_REQUIRED" as const,
    responseChecksumValidation: "WHEN_REQUIRED" as const,
    credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    maxAttempts: 1,
  };
}

/** The s3rver credentials (s3rver knows this key pair). */
export const S3RVER_CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** Settings of an {@link S3HttpClient} pointed at s3rver (or a fault injector before it): path-style, one attempt unless `maxAttempts`. */
export function s3rverHttpConfig(endpoint: string, opts: { maxAttempts?: number } = {}): S3HttpOptions {
  return { endpoint, region: "us-east-1", forcePathStyle: true, credentials: S3RVER_CREDENTIALS, maxAttempts: opts.maxAttempts ?? 1 };
}

/** The clients a {@link LocalS3} hands out for a server at `endpoint`, and how to close them all. */
export function localS3Clients(endpoint: string): Pick<LocalS3, "client" | "makeClient" | "http"> & { destroy(): void } {
  const { client, makeClient, destroyAll } = clientPool(() => new S3Client(s3rverClientConfig(endpoint)));
  const http = new S3HttpClient(s3rverHttpConfig(endpoint));
  return {
    client,
    makeClient,
    http,
    destroy() {
      destroyAll();
      http.destroy();
    },
  };
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

/** A reverse proxy in front of a local server that can make the next requests fail like AWS does. */
export interface FaultInjector {
  endpoint: string;
  /** The next `count` requests (optionally only those with `method`) get an S3-style XML error instead of reaching the server. */
  failNext(count: number, opts?: { status?: number; code?: string; method?: string }): void;
  /** The next matching response is cut off half-way through its body (a dropped connection). */
  dropBodyNext(count: number, opts?: { method?: string }): void;
  /** Requests seen, as `METHOD path`. */
  readonly requests: string[];
  /** Signature problems found (with `verifySignatures`), as `METHOD path: why`. */
  readonly badSignatures: string[];
  /** Block Public Access settings per bucket (with `publicAccessBlock`): set them to prepare a test, read them to assess one. */
  readonly publicAccessBlocks: Map<string, StoredPublicAccessBlock>;
  stop(): Promise<void>;
}

export interface FaultInjectorOptions {
  /**
   * Recompute every request's SigV4 signature (service s3, the s3rver key, a region of
   * `signingRegions`) and answer a mismatch with 403 SignatureDoesNotMatch, as S3 does (s3rver itself
   * does not check V4 signatures).
   */
  verifySignatures?: boolean;
  /** Regions a verified signature's scope may name (default us-east-1); real S3 wants the bucket's region. */
  signingRegions?: readonly string[];
  /**
   * Answer a successful GET with `?versionId=v` with `x-amz-version-id: v`, as a versioned bucket
   * does (s3rver has no versioning and ignores the parameter).
   */
  echoVersionId?: boolean;
  /**
   * Answer the `?publicAccessBlock` subresource (Get/Put/DeletePublicAccessBlock) of the target's
   * buckets from memory, as S3 does (s3rver has no Block Public Access API); see
   * `answerPublicAccessBlock`. `failNext` applies to these requests too.
   */
  publicAccessBlock?: boolean;
  /**
   * The account that owns every bucket: a request whose `x-amz-expected-bucket-owner` names another
   * account gets 403 AccessDenied, as S3 answers (s3rver ignores the header).
   */
  bucketOwner?: string;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `target` (e.g. an s3rver endpoint) and injects the
 * failures tests ask for: throttling (503 SlowDown), 500 InternalError, a connection dropped mid-body;
 * optionally it checks signatures and expected bucket owners, answers like a versioned bucket, and
 * implements Block Public Access (see {@link FaultInjectorOptions}).
 * Code under test talks real HTTP to it, so its error handling is exercised end to end.
 */
export async function startFaultInjector(target: string, opts: FaultInjectorOptions = {}): Promise<FaultInjector> {
  const { createServer, request } = await import("node:http");
  const to = new URL(target);
  const fails: { status: number; code: string; method?: string }[] = [];
  const drops: { method?: string }[] = [];
  const requests: string[] = [];
  const badSignatures: string[] = [];
  const publicAccessBlocks = new Map<string, StoredPublicAccessBlock>();
  const signingRegions = opts.signingRegions ?? ["us-east-1"];
  const take = <T extends { method?: string }>(list: T[], method: string | undefined): T | undefined => {
    const i = list.findIndex((f) => !f.method || f.method === method);
    return i >= 0 ? list.splice(i, 1)[0] : undefined;
  };
  const send = (res: ServerResponse, a: S3Answer) => {
    res.writeHead(a.status, { ...a.headers, "content-length": Buffer.byteLength(a.body) });
    res.end(a.body);
  };
  /** Whether the target has `bucket` (an anonymous HEAD, which s3rver allows). */
  const bucketExists = (bucket: string) =>
    new Promise<boolean>((resolve) => {
      const head = request({ host: to.hostname, port: to.port, method: "HEAD", path: `/${encodeURIComponent(bucket)}` }, (r) => {
        r.resume();
        resolve(r.statusCode === 200);
      });
      head.on("error", () => resolve(false));
      head.end();
    });
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const fail = take(fails, req.method);
    if (fail) {
      req.resume();
      send(res, s3Error(fail.status, fail.code, `injected ${fail.code}`, {}, "INJECTED"));
      return;
    }
    const forward = (body?: Buffer) => {
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
      if (body) up.end(body);
      else req.pipe(up);
    };
    const local = opts.publicAccessBlock === true && isPublicAccessBlockRequest(req.url ?? "/");
    if (!opts.verifySignatures && !opts.bucketOwner && !local) {
      forward();
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const received = { method: req.method ?? "", url: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks) };
      void (async () => {
        if (opts.verifySignatures) {
          // The scope's region, when it is one the test allows; otherwise the first, so the mismatch is reported.
          const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(String(req.headers.authorization ?? ""))?.[1];
          const region = scope && signingRegions.includes(scope) ? scope : signingRegions[0]!;
          const problem = await sigV4Problem(received, { service: "s3", region, credentials: S3RVER_CREDENTIALS });
          if (problem) {
            badSignatures.push(`${req.method} ${req.url}: ${problem}`);
            return send(res, s3Error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."));
          }
        }
        const expected = req.headers["x-amz-expected-bucket-owner"];
        if (opts.bucketOwner && expected !== undefined && expected !== opts.bucketOwner) return send(res, s3Error(403, "AccessDenied", "Access Denied"));
        if (!local) return forward(received.body);
        const bucket = bucketOf(received.url);
        send(res, answerPublicAccessBlock(received, publicAccessBlocks, bucket !== undefined && (await bucketExists(bucket))));
      })().catch(() => res.destroy()); // a bug here shows as a dropped connection, not an unhandled rejection
    });
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
    badSignatures,
    publicAccessBlocks,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
