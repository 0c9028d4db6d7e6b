export * from "./config";
export * from "../../app/hec-forwarder/forward";
