export * from "./config";
export * from "../../app/securityhub-forwarder/forward";
