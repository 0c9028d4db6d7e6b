import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { clientPool } from "./client-pool";

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
  const { client, makeClient, destroyAll } = clientPool(() => new S3Client(s3rverClientConfig(endpoint)));
  return {
    endpoint,
    client,
    makeClient,
    async stop() {
      destroyAll();
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
  stop(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 that forwards to `target` (e.g. an s3rver endpoint) and injects the
 * failures tests ask for: throttling (503 SlowDown), 500 InternalError, a connection dropped mid-body.
 * Code under test talks real HTTP to it, so its SDK error handling is exercised end to end.
 */
export async function startFaultInjector(target: string): Promise<FaultInjector> {
  const { createServer, request } = await import("node:http");
  const to = new URL(target);
  const fails: { status: number; code: string; method?: string }[] = [];
  const drops: { method?: string }[] = [];
  const requests: string[] = [];
  const take = <T extends { method?: string }>(list: T[], method: string | undefined): T | undefined => {
    const i = list.findIndex((f) => !f.method || f.method === method);
    return i >= 0 ? list.splice(i, 1)[0] : undefined;
  };
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const fail = take(fails, req.method);
    if (fail) {
      req.resume();
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${fail.code}</Code><Message>injected ${fail.code}</Message><RequestId>INJECTED</RequestId></Error>`;
      res.writeHead(fail.status, { "content-type": "application/xml", "content-length": Buffer.byteLength(body), "x-amz-request-id": "INJECTED" });
      res.end(body);
      return;
    }
    const drop = take(drops, req.method);
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
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
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    failNext: (count, opts = {}) => {
      for (let i = 0; i < count; i++) fails.push({ status: opts.status ?? 503, code: opts.code ?? "SlowDown", method: opts.method });
    },
    dropBodyNext: (count, opts = {}) => {
      for (let i = 0; i < count; i++) drops.push({ method: opts.method });
    },
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
