import { SingleBar, Presets, type Options } from "cli-progress";
import { cell } from "./terminal";

/** A progress bar on stderr when it is a terminal; silent otherwise (CI logs, pipes). */
export interface Progress {
  update(done: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

const SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * Runs `restore` (show the cursor again, clear the bar's line) when the process is interrupted
 * (Ctrl-C, SIGTERM, a closed terminal), then lets the signal end the process as it would have
 * (exit status 128 + signal number). Returns the function that removes the handlers.
 */
export function restoreOnSignal(restore: () => void): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    dispose();
    try {
      restore();
    } finally {
      process.kill(process.pid, signal);
    }
  };
  const dispose = () => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
  };
  for (const s of SIGNALS) process.once(s, onSignal);
  return dispose;
}

/**
 * A cli-progress bar on stderr whose text values are escaped (`cell`) and which restores the cursor
 * it hides on stop, on Ctrl-C and on SIGTERM.
 */
export function safeBar(options: Options, total: number, payload: Record<string, string | number>): Progress {
  const bar = new SingleBar({ stream: process.stderr, hideCursor: true, clearOnComplete: true, ...options }, Presets.shades_classic);
  const escape = (extra?: Record<string, string | number>) =>
    extra && Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, typeof v === "string" ? cell(v) : v]));
  // Handlers first: a Ctrl-C right after the cursor is hidden must already find them.
  const dispose = restoreOnSignal(() => bar.stop());
  bar.start(total, 0, escape(payload));
  let stopped = false;
  return {
    update(done, extra) {
      if (!stopped) bar.update(done, escape(extra));
    },
    stop() {
      if (stopped) return;
      stopped = true;
      dispose();
      bar.stop();
    },
  };
}

export function progressBar(total: number, label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled || total <= 0) return { update() {}, stop() {} };
  const mb = (n: number) => Math.round(n / 1e6);
  const bar = safeBar(
    { format: `${cell(label)} [{bar}] {percentage}% | {value}/{total} MB | {records} records | {alerts} findings | ETA {eta}s`, etaBuffer: 50 },
    Math.max(1, mb(total)),
    { records: 0, alerts: 0 },
  );
  return { update: (done, extra) => bar.update(mb(done), extra), stop: () => bar.stop() };
}
