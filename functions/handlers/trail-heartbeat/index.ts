export * from "./checks";
export * from "./config";
export * from "./gate";
export * from "./heartbeat";
