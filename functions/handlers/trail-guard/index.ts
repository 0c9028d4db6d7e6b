export * from "./config";
export * from "../../app/trail-guard/event";
export * from "../../app/trail-guard/guard";
export * from "../../core/rules/catalog/guard-only/cloudtrail-trail-tampering";
