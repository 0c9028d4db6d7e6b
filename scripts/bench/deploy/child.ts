import { spawn } from "node:child_process";
import { pathToFileURL } from "node:url";
import { ROOT } from "../bench";

/**
 * Runs a TypeScript file in a fresh Node process (through tsx) with exactly `env` added to a clean
 * base (PATH, HOME), and returns the last line of its stdout parsed as JSON.
 */
export function runMeasureChild<T>(script: string, args: string[], env: Record<string, string>, timeoutMs = 15 * 60_000): Promise<T> {
  const tsx = pathToFileURL(require.resolve("tsx")).href;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", tsx, script, ...args], {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/tmp", ...env },
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`${script} ${args[0] ?? ""} exited with ${code ?? signal}: ${err.trim().slice(-2000)}`));
      const last = out.trim().split("\n").pop() ?? "";
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${script} ${args[0] ?? ""} printed no JSON result; last line: ${last.slice(0, 300)}`));
      }
    });
  });
}
