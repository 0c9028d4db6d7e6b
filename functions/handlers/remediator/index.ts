export * from "./aws-runner";
export * from "./config";
export * from "../../app/remediator/remediate";
// local-runner.ts is not re-exported: it asks STS who it is, which the remediator function (it knows its role) never needs.
