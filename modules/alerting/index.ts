export { Alerting, HEC_MAX_RECEIVE_COUNT, type AlertingProps, type AlertLedgerRef, type HecSinkProps, type HecForwarding } from "./alerting";
export { hecTokenStatements, parameterArn, type HecTokenReference } from "./hec-token";
