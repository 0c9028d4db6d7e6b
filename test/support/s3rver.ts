import { mkdtemp, rm } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { S3Client } from "@aws-sdk/client-s3";

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
  const clients: S3Client[] = [];
  const makeClient = () => {
    const c = new S3Client(s3rverClientConfig(endpoint));
    clients.push(c);
    return c;
  };
  const client = makeClient();
  return {
    endpoint,
    client,
    makeClient,
    async stop() {
      for (const c of clients) c.destroy();
      // Keep-alive sockets would hold close() open until they time out.
      server.httpServer?.closeAllConnections();
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
