import type { LogFileContent, LogSource } from "../ports";
import { RECORD_USE, type RecordFilter } from "../record/record-filter";
import { inWindow, type TimeWindow } from "./time-window";

/** Content as some sources give it: records with a parallel list of their positions. */
type WithWhere = LogFileContent & { where?: string[] };

/**
 * Keeps only the records whose `eventTime` lies in the window. Files are chosen by their delivery
 * time, which runs a few minutes behind their events; this trims the edges so a scan of
 * `[from, to)` reports exactly the events of `[from, to)`, whatever the source.
 */
export function recordsInWindow(content: LogFileContent, w: TimeWindow): LogFileContent {
  const c = content as WithWhere;
  const keep: number[] = [];
  for (let i = 0; i < c.records.length; i++) if (inWindow(w, c.records[i]!.eventTime as string)) keep.push(i);
  if (keep.length === c.records.length) return content;
  const out: WithWhere = { ...c, records: keep.map((i) => c.records[i]!) };
  if (Array.isArray(c.where) && c.where.length === c.records.length) out.where = keep.map((i) => c.where![i]!);
  else if (!c.where) out.recordIndex = keep.map((i) => c.recordIndex?.[i] ?? i);
  return out;
}

/** A source whose files yield only the records of `w` (see {@link recordsInWindow}). */
export function windowedSource(source: LogSource, w: TimeWindow): LogSource {
  return {
    files: () => source.files(),
    read: async (f, opts) => recordsInWindow(await source.read(f, opts?.filter ? { ...opts, filter: windowedFilter(opts.filter, w) } : opts), w),
  };
}

/** A record filter that drops the records outside `w` before asking `filter` (they are neither parsed nor counted). */
export function windowedFilter(filter: RecordFilter, w: TimeWindow): RecordFilter {
  return { use: (keys) => (inWindow(w, keys.eventTime) ? filter.use(keys) : RECORD_USE.drop) };
}
