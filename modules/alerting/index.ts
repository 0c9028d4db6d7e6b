export {
  Alerting,
  HEC_MAX_RECEIVE_COUNT,
  UNDELIVERABLE_RETENTION_SECONDS,
  undeliverableStatement,
  type AlertingProps,
  type AlertLedgerRef,
  type HecSinkProps,
  type HecForwarding,
  type UndeliverableAlertsRef,
} from "./alerting";
export { hecTokenStatements, parameterArn, type HecTokenReference } from "./hec-token";
