export * from "./event";
export * from "./response";
export * from "./client";
export * from "./sink";
export * from "./dead-letter-queue";
