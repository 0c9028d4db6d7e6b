export { clientSettings, perRegion } from "../../adapters/aws/client-settings";
export * from "./env";
export * from "./observability";
export * from "./rule-env";
export * from "./alert-sink";
