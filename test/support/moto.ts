import { spawn, type ChildProcess } from "node:child_process";

/** A running moto server (AWS services in Python, installed in the machine image) on a free loopback port. */
export interface LocalMoto {
  endpoint: string;
  stop(): Promise<void>;
}

/**
 * Starts `python3 -m moto.server` on 127.0.0.1 with port 0 and reads the port it chose from its
 * banner. Used for services with no JavaScript local server (here SQS); stops exactly the process it
 * started.
 */
export async function startMoto(timeoutMs = 60_000): Promise<LocalMoto> {
  const child: ChildProcess = spawn("python3", ["-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  let banner = "";
  let started = false;
  const endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`moto did not start within ${timeoutMs} ms: ${banner}`)), timeoutMs);
    // Its request log keeps coming on the pipes: read it (so moto never blocks on a full pipe) and drop it.
    const read = (b: Buffer) => {
      if (started) return;
      banner += b.toString("utf8");
      const m = /Running on (http:\/\/127\.0\.0\.1:\d+)/.exec(banner);
      if (m) {
        started = true;
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on("data", read);
    child.stderr!.on("data", read);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`moto exited with ${code}: ${banner}`));
    });
  });
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
