/**
 * The names of the retro-hunt state machine's states: the deployed definition
 * (`modules/retro-hunt/definition.ts`) is built from them and `trailwatch hunt` finds the results
 * bucket of a deployed machine by them, so both read them from here.
 */
/** State names, as people read them in the console; the tests bind local handlers by them. */
export const STATE = {
  plan: "Plan the hunt",
  invalidInput: "Invalid input",
  planFailed: "Planning failed",
  anyFiles: "Any log files?",
  scanAll: "Scan the log files",
  scanBatch: "Scan a batch",
  summarize: "Summarize",
  summaryFailed: "Summary failed",
  didFail: "Did the hunt fail?",
  failed: "Hunt failed",
  done: "Done",
} as const;

/** The Distributed Map's label (part of its map run ARN). */
export const MAP_LABEL = "ScanBatches";
