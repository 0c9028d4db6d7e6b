/**
 * moto (https://github.com/getmoto/moto) as a child process on loopback: the AWS emulator the
 * lifecycle test applies and destroys the whole stack against. The test starts exactly one moto
 * server and stops exactly that process (by its pid, never by name), also when the test fails.
 *
 * moto is a Python package; it is not installed by `npm ci`. When python3 or moto is missing the
 * start FAILS with what to install: a skipped lifecycle test would prove nothing.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";

/** The Python interpreter that has moto (override with TRAILWATCH_PYTHON). */
export const PYTHON = process.env.TRAILWATCH_PYTHON ?? "python3";

/** The account moto answers STS GetCallerIdentity with (its default). */
export const MOTO_ACCOUNT = "123456789012";

export interface Moto {
  /** e.g. `http://127.0.0.1:40123`. */
  endpoint: string;
  /** The pid of the server process this test started. */
  pid: number;
  /** What moto printed (its request log), for a failure message. */
  log(): string;
  /** Stops the process this test started and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

/** Throws, with what to install, when python3 or moto's server is missing. */
export function assertMotoAvailable(python = PYTHON): string {
  const probe = spawnSync(python, ["-c", "import moto, moto.server; print(moto.__version__)"], { encoding: "utf8", timeout: 60_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error ? `${python} could not be run (${probe.error.message})` : (probe.stderr || probe.stdout).trim().split("\n").at(-1);
    throw new Error(
      `The lifecycle test needs python3 with moto's server (moto 5.x): ${why}. ` +
        `Install it with \`pip install "moto[server]==5.2.1"\`, or point TRAILWATCH_PYTHON at an interpreter that has it.`,
    );
  }
  return probe.stdout.trim();
}

/** A port that was free a moment ago (moto takes a port number, not 0). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `python3 -m moto.server` on 127.0.0.1 and a free port, and waits until it answers.
 * Retries with another port when the one picked was taken in between (a race with other tests).
 */
export async function startMoto(opts: { startTimeoutMs?: number } = {}): Promise<Moto> {
  assertMotoAvailable();
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(port, opts.startTimeoutMs ?? 60_000);
    } catch (err) {
      lastError = err as Error;
    }
  }
  throw lastError!;
}

async function launch(port: number, timeoutMs: number): Promise<Moto> {
  const child: ChildProcess = spawn(PYTHON, ["-m", "moto.server", "-H", "127.0.0.1", "-p", String(port)], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  const output: string[] = [];
  let size = 0;
  const keep = (d: Buffer) => {
    // The request log can grow to megabytes; keep the last 400 KB for failure messages.
    output.push(d.toString());
    size += d.length;
    while (size > 400_000 && output.length > 1) size -= output.shift()!.length;
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  // If jest exits without afterAll (a crash), do not leave the server behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  const endpoint = `http://127.0.0.1:${port}`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`moto exited with ${child.exitCode} before answering on ${endpoint}:\n${output.join("").slice(-2000)}`);
    }
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) {
        await res.arrayBuffer();
        return { endpoint, pid: child.pid!, log: () => output.join(""), stop };
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`moto did not answer on ${endpoint} within ${timeoutMs} ms:\n${output.join("").slice(-2000)}`);
}

/** The name the service-level tests use for a running moto. */
export type LocalMoto = Moto;
