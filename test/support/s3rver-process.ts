import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { localS3Clients, type LocalS3 } from "./s3rver";

/**
 * Like `startS3rver`, but s3rver runs in a child Node process started with
 * `--openssl-legacy-provider`, so ListObjectsV2 paging (continuation tokens) works on Node 20; the
 * in-process server answers every continuation request with 500 there. The flag stays confined to
 * the child: the test process and the code under test run with Node's default OpenSSL providers.
 * Costs about 0.3 s to start; use it where a test needs paging. With `exactDelimiterListing`,
 * delimiter listings report every sub-folder as S3 does (s3rver alone finds only folders that hold
 * an object directly; see s3rver-child.cjs).
 */
export async function startS3rverProcess(opts: { buckets?: string[]; exactDelimiterListing?: boolean } = {}): Promise<LocalS3> {
  const directory = await mkdtemp(join(tmpdir(), "trailwatch-s3rver-"));
  const child: ChildProcess = spawn(
    process.execPath,
    ["--openssl-legacy-provider", join(__dirname, "s3rver-child.cjs"), directory, JSON.stringify(opts.buckets ?? []), ...(opts.exactDelimiterListing ? ["exact-delimiter"] : [])],
    { stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, NODE_OPTIONS: "" } },
  );
  let stderr = "";
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once("line", (line) => {
      try {
        resolve((JSON.parse(line) as { port: number }).port);
      } catch {
        reject(new Error(`s3rver child printed "${line}" instead of its port`));
      }
    });
    child.once("exit", (code) => reject(new Error(`s3rver child exited with ${code} before listening: ${stderr.trim()}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const { destroy, ...clients } = localS3Clients(endpoint);
  return {
    endpoint,
    ...clients,
    async stop() {
      destroy();
      if (child.exitCode === null) {
        const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
        child.stdin!.end();
        await exited;
      }
      await rm(directory, { recursive: true, force: true });
    },
  };
}
