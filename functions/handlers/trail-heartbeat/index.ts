export * from "../../app/trail-heartbeat/checks";
export * from "./config";
export * from "../../adapters/aws/heartbeat-alert-gate";
export * from "../../app/trail-heartbeat/heartbeat";
