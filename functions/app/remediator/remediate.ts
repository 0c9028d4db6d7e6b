import type { Logger } from "@aws-lambda-powertools/logger";
import * as z from "../../core/zod";
import type { RemediationResult } from "../../core/alert/alert";
import type { RemediationMode } from "../../core/remediation/permissions";
import { missingRequiredField } from "../../core/record/schema";
import { RuleEngine } from "../../core/rules/engine";
import type { CatalogRule } from "../../core/rules/threshold-rule";
import type { RemediationResponse } from "../../adapters/aws/remediation/lambda-runner";
import type { RemediationRunner } from "../../adapters/aws/remediation/runner";
import { RemediationTransientError } from "../../adapters/aws/remediation/types";

/** The request the log analyzer sends (see `LambdaRemediationRunner`). */
export const remediationRequestSchema = z.object({
  ruleId: z.string().check(z.minLength(1, "must name a rule")),
  record: z.record(z.string(), z.unknown()),
  /** The log object the record was read from; S3 allows keys of up to 1,024 bytes. */
  source: z.object(
    { bucket: z.string().check(z.minLength(3), z.maxLength(63)), key: z.string().check(z.minLength(1), z.maxLength(1024)) },
    { error: "must name the log object the record was read from: { bucket, key }" },
  ),
  retryTransient: z._default(z.boolean(), false),
});

/** The payload is not a remediation request; the message says what was wrong. */
export class RemediationRequestError extends Error {
  override name = "RemediationRequestError";
}

export interface RemediatorDeps {
  catalog: readonly CatalogRule[];
  ruleSettings?: Record<string, unknown>;
  /** Mode per rule id (the same `REMEDIATION` the runner has); decides whether a request is answered null. */
  modes: Readonly<Record<string, RemediationMode>>;
  runner: Pick<RemediationRunner, "run">;
  logger: Logger;
}

/**
 * The remediator: checks the request, then rebuilds the finding itself from the record with the
 * rule engine (the caller only names the rule), so a request can never make it act on something its
 * rule does not match; then runs the remediation with every guard of {@link RemediationRunner},
 * which verifies the event against CloudTrail's own copy and acts on that copy only.
 * Answers the outcome, null when the rule's remediation is off, or `{ transient: true, message }`
 * for a transient failure the caller should retry.
 */
export function createRemediator(deps: RemediatorDeps) {
  const byId = new Map(deps.catalog.map((r) => [r.id, r]));
  const engines = new Map<string, RuleEngine>();
  const engineFor = (ruleId: string) => {
    let e = engines.get(ruleId);
    if (!e) engines.set(ruleId, (e = new RuleEngine(deps.catalog, { settings: deps.ruleSettings ?? {}, only: [ruleId] })));
    return e;
  };

  return async function remediate(payload: unknown): Promise<RemediationResponse> {
    const req = remediationRequestSchema.safeParse(payload);
    if (!req.success) {
      const problems = req.error.issues.map((i) => `${i.path.map(String).join(".") || "(payload)"}: ${i.message}`);
      throw new RemediationRequestError(`remediator: bad request: ${problems.join("; ")}`);
    }
    const { ruleId, record, source, retryTransient } = req.data;
    const rule = byId.get(ruleId);
    if (!rule) throw new RemediationRequestError(`remediator: bad request: ruleId: no such rule "${ruleId}"`);
    const action = rule.remediation;
    if (!action) throw new RemediationRequestError(`remediator: bad request: ruleId: rule "${ruleId}" has no remediation`);

    const mode = deps.modes[ruleId] ?? "off";
    if (mode === "off") return null;
    const skipped = (detail: string): RemediationResult => ({ action, mode, status: "skipped", detail });

    const where = { rule: ruleId, eventID: record.eventID, eventName: record.eventName, object: `s3://${source.bucket}/${source.key}` };
    const missing = missingRequiredField(record);
    if (missing) return skipped(`the record is not a CloudTrail record (${missing}); not remediating`);
    const ev = engineFor(ruleId).evaluate(record as { eventSource: string; eventName: string });
    const finding = ev.kind === "findings" ? ev.findings.find((f) => f.rule.id === ruleId) : undefined;
    if (!finding) {
      const why = ev.kind === "invalid" ? `the record is invalid (${ev.reason})` : `rule ${ruleId} does not match the record`;
      deps.logger.warn("remediation request does not hold up; skipped", { ...where, why });
      return skipped(`${why}; not remediating`);
    }
    try {
      const result = await deps.runner.run(finding, { source, retryTransient });
      deps.logger.info("remediation", { ...where, mode, status: result?.status, refused: result?.checks?.refused, detail: result?.detail });
      return result;
    } catch (e) {
      if (e instanceof RemediationTransientError) {
        deps.logger.warn("remediation failed transiently; the caller retries", { ...where, message: e.message });
        return { transient: true, message: e.message };
      }
      throw e;
    }
  };
}
