import { SingleBar, Presets } from "cli-progress";

/** A progress bar on stderr when it is a terminal; silent otherwise (CI logs, pipes). */
export interface Progress {
  update(done: number, extra?: Record<string, string | number>): void;
  stop(): void;
}

export function progressBar(total: number, label: string, enabled = process.stderr.isTTY === true): Progress {
  if (!enabled || total <= 0) return { update() {}, stop() {} };
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {percentage}% | {value}/{total} MB | {records} records | {alerts} findings | ETA {eta}s`,
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 50,
    },
    Presets.shades_classic,
  );
  bar.start(Math.max(1, Math.round(total / 1e6)), 0, { records: 0, alerts: 0 });
  return {
    update(done, extra) {
      bar.update(Math.round(done / 1e6), extra);
    },
    stop() {
      bar.stop();
    },
  };
}
