import { Presets, SingleBar } from "cli-progress";

/** Progress of a scan whose input is still being listed: objects and bytes done of those listed so far. */
export interface ObjectProgress {
  listed(objects: number, bytes: number): void;
  done(objects: number, bytes: number, records: number, findings: number): void;
  stop(): void;
}

/**
 * A bar on stderr (terminals only) for S3 and LookupEvents scans. The total grows as the listing
 * runs ahead of the reading, so the bar shows how much of what is known so far has been read,
 * and the counts (objects, MB, records, findings) show the absolute progress.
 */
export function objectProgress(label: string, enabled = process.stderr.isTTY === true): ObjectProgress {
  if (!enabled) return { listed() {}, done() {}, stop() {} };
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${label} [{bar}] {value}/{total} objects | {mb}/{mbTotal} MB | {records} records | {alerts} findings`,
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let listedObjects = 0;
  let listedMb = "0";
  bar.start(1, 0, { mb: "0", mbTotal: "0", records: 0, alerts: 0 });
  return {
    listed(objects, bytes) {
      listedObjects = objects;
      listedMb = (bytes / 1e6).toFixed(1);
      bar.setTotal(Math.max(1, objects));
      bar.update({ mbTotal: listedMb });
    },
    done(objects, bytes, records, findings) {
      if (objects > listedObjects) bar.setTotal(objects);
      bar.update(objects, { mb: (bytes / 1e6).toFixed(1), mbTotal: listedMb, records, alerts: findings });
    },
    stop() {
      bar.stop();
    },
  };
}
