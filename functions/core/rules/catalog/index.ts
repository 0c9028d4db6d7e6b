import type { AnyRule } from "../rule";
import cloudtrailLoggingStopped from "./cloudtrail-logging-stopped";
import ssmPlaintextSecretParameter from "./ssm-plaintext-secret-parameter";

/**
 * The rule catalog. One import per rule file; `test/core/rules/catalog.test.ts` fails when a file in
 * this folder is not listed here, so a new rule cannot be forgotten.
 */
export const catalog: readonly AnyRule[] = [
  cloudtrailLoggingStopped,
  ssmPlaintextSecretParameter,
];
