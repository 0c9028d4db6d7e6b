/** Retro-hunt: the execution input, the keys of a hunt's files, batch shapes and the summary (pure). */
export * from "./hunt-input";
export * from "./hunt-keys";
export * from "./batch";
export * from "./summary";
