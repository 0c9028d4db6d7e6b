import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";
import * as z from "../../../core/zod";
import { boundCheckText, REMEDIATION_REFUSALS, type RemediationResult } from "../../../core/alert/alert";
import type { LogObjectRef } from "../../../core/remediation/event-checks";
import { dueRemediation, type RemediationMode } from "../../../core/remediation/permissions";
import type { Finding } from "../../../core/rules/engine";
import { awsErrorName, isTransientAwsError } from "../aws-error";
import type { RunOptions } from "./runner";
import { RemediationTransientError } from "./types";

/** What the analyzer sends the remediator function: the rule and its record, never a secret. */
export interface RemediationRequest {
  ruleId: string;
  /** The CloudTrail record of the finding, as the log file held it (the remediator verifies it against CloudTrail's own copy). */
  record: Record<string, unknown>;
  /** The log object the record was read from (its key's account segment must be the event's account). */
  source: LogObjectRef;
  /** Whether a transient failure should come back as `{ transient: true }` (the caller retries) rather than `failed`. */
  retryTransient: boolean;
}

/** The remediator function's answer: the outcome (null = remediation off), or a transient failure to retry. */
export type RemediationResponse = RemediationResult | null | { transient: true; message: string };

const checkText = z.optional(z.pipe(z.string(), z.transform(boundCheckText)));
const resultSchema = z.object({
  action: z.string(),
  mode: z.enum(["dry-run", "apply"]),
  status: z.enum(["succeeded", "failed", "skipped", "planned"]),
  detail: z.string(),
  checks: z.optional(
    z.object({ verifiedBy: z.optional(z.enum(["eventbridge", "lookup-events"])), refused: z.optional(z.enum(REMEDIATION_REFUSALS)), found: checkText, done: checkText }),
  ),
});
/** Checks the remediator's answer (it is another function's output, so it is not trusted blindly). */
export const remediationResponseSchema = z.union([z.null(), z.object({ transient: z.literal(true), message: z.string() }), resultSchema]);

export interface LambdaRemediationRunnerOptions {
  /** Invokes the remediator (its request timeout must outlast the remediator's own). */
  lambda: Pick<LambdaClient, "send">;
  /** Name or ARN of the remediator function. */
  functionName: string;
  /** Mode per rule id (from `REMEDIATION`); the function is invoked only for rules not `off`. */
  modes: Readonly<Record<string, RemediationMode>>;
}

/**
 * Runs a finding's remediation in the separate remediator function (RequestResponse), so the
 * function that parses log content holds no remediation write permission. Same contract as
 * `RemediationRunner.run`: null when off, a transient failure throws {@link RemediationTransientError}
 * while `retryTransient`, and any other failure (invoke denied, the function crashed, a bad answer)
 * becomes a `failed` result rather than failing the analyzer.
 */
export class LambdaRemediationRunner {
  constructor(private readonly opts: LambdaRemediationRunnerOptions) {}

  async run(f: Finding, opts: RunOptions): Promise<RemediationResult | null> {
    const due = dueRemediation(this.opts.modes, f.rule);
    if (!due) return null;
    const { id, mode } = due;
    const retryTransient = opts.retryTransient ?? false;
    const failed = (detail: string): RemediationResult => ({ action: id, mode, status: "failed", detail });
    const request: RemediationRequest = { ruleId: f.rule.id, record: f.record, source: { bucket: opts.source.bucket, key: opts.source.key }, retryTransient };
    const fn = this.opts.functionName;

    let out;
    try {
      out = await this.opts.lambda.send(new InvokeCommand({ FunctionName: fn, InvocationType: "RequestResponse", Payload: new TextEncoder().encode(JSON.stringify(request)) }));
    } catch (e) {
      const message = `invoking remediator ${fn} failed: ${awsErrorName(e)}: ${(e as Error)?.message ?? String(e)}`;
      if (isTransientAwsError(e) && retryTransient) throw new RemediationTransientError(message, { cause: e });
      return failed(isTransientAwsError(e) ? `${message} (gave up retrying)` : message);
    }
    const text = new TextDecoder().decode(out.Payload ?? new Uint8Array());
    if (out.FunctionError) return failed(`remediator ${fn} failed (${out.FunctionError}): ${errorText(text)}`);

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return failed(`remediator ${fn} answered with something other than JSON: ${text.slice(0, 200)}`);
    }
    const parsed = remediationResponseSchema.safeParse(body);
    if (!parsed.success) return failed(`remediator ${fn} answered in an unexpected shape: ${text.slice(0, 200)}`);
    const res = parsed.data;
    if (res && "transient" in res) {
      if (retryTransient) throw new RemediationTransientError(res.message);
      return failed(`${res.message} (gave up retrying)`);
    }
    return res;
  }
}

/** `errorType: errorMessage` of Lambda's error payload, else the payload itself (shortened). */
function errorText(payload: string): string {
  try {
    const e = JSON.parse(payload) as { errorType?: unknown; errorMessage?: unknown };
    if (typeof e.errorMessage === "string") return typeof e.errorType === "string" ? `${e.errorType}: ${e.errorMessage}` : e.errorMessage;
  } catch {
    // not JSON: fall through
  }
  return payload.slice(0, 500) || "no error details";
}
