import type { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import type { EC2Client } from "@aws-sdk/client-ec2";
import type { IAMClient } from "@aws-sdk/client-iam";
import type { S3Client } from "@aws-sdk/client-s3";
import { partitionOfArn } from "../../../core/aws/partition";
import { boundCheckText, type RemediationResult } from "../../../core/alert/alert";
import type { Remediator } from "../../../core/ports";
import type { Finding } from "../../../core/rules/engine";
import type { RemediationId } from "../../../core/rules/rule";
import { awsErrorName, isTransientAwsError } from "../aws-error";

/**
 * SDK clients the remediators call, per region where the API is regional. A factory may return a
 * promise, so a handler can load a client's code only when a remediation first needs it.
 */
export interface RemediationClients {
  cloudTrail(region: string): CloudTrailClient | Promise<CloudTrailClient>;
  iam(): IAMClient | Promise<IAMClient>;
  s3(region: string): S3Client | Promise<S3Client>;
  ec2(region: string): EC2Client | Promise<EC2Client>;
}

/** One API call a remediation makes, named by its IAM action (as in REMEDIATION_PERMISSIONS). */
export interface PlannedCall {
  action: string;
  /** Region the call goes to; "global" for IAM. */
  region: string;
  input: Record<string, unknown>;
}

/**
 * What a remediator would do for a finding: the calls, the target in words and as ARNs (what the
 * protected-target patterns are matched against, named as CloudTrail names it: no IAM path), or why
 * it does nothing.
 */
export type Plan = { calls: PlannedCall[]; target: string; targetArns: string[] } | { skip: string };

/** A remediator the runner can ask for its plan (to compare two copies of an event and check the target) before it acts. */
export interface PlanningRemediator extends Remediator {
  plan(f: Finding): Plan;
}

/** The partition of the event's ARNs (`aws`, `aws-cn`, `aws-us-gov`); `aws` when it names none. */
export function partitionOfRecord(r: { userIdentity?: { arn?: string | undefined } | null | undefined }): string {
  return partitionOfArn(r.userIdentity?.arn ?? undefined) ?? "aws";
}

/**
 * A remediation call failed in a way that may pass later (throttling, 5xx). Thrown rather than
 * reported so the caller can retry the whole message; see `RemediationRunner`.
 */
export class RemediationTransientError extends Error {
  override name = "RemediationTransientError";
}

/** `iam:DetachUserPolicy {"UserName":"bob",...} in us-east-1`: the exact call, for people and dry-run. */
export function describeCall(c: PlannedCall): string {
  return `${c.action} ${JSON.stringify(c.input)}${c.region === "global" ? "" : ` in ${c.region}`}`;
}

/**
 * Base of every remediator: a pure `plan` from the finding (which calls, or why none), then in
 * `apply` mode `execute`, which checks the current state where an API allows it and makes the calls.
 * Dry-run returns status `planned` with the exact calls and touches nothing.
 */
export abstract class PlannedRemediator<C = unknown> implements PlanningRemediator {
  abstract readonly id: RemediationId;

  /** The SDK clients the remediator calls (only those it needs). */
  constructor(protected readonly clients: C) {}

  abstract plan(f: Finding): Plan;

  protected abstract execute(f: Finding, plan: Extract<Plan, { calls: PlannedCall[] }>): Promise<RemediationResult>;

  async apply(f: Finding, mode: "dry-run" | "apply"): Promise<RemediationResult> {
    const plan = this.plan(f);
    if ("skip" in plan) return this.result(mode, "skipped", plan.skip);
    if (mode === "dry-run") return this.result(mode, "planned", `would call ${plan.calls.map(describeCall).join("; then ")}`);
    return this.execute(f, plan);
  }

  /** A result; `found` is the state read before acting, `done` what was changed (see `RemediationChecks`). */
  protected result(mode: "dry-run" | "apply", status: RemediationResult["status"], detail: string, state: { found?: string; done?: string } = {}): RemediationResult {
    const checks = {
      ...(state.found ? { found: boundCheckText(state.found) } : {}),
      ...(state.done ? { done: boundCheckText(state.done) } : {}),
    };
    return { action: this.id, mode, status, detail, ...(Object.keys(checks).length ? { checks } : {}) };
  }

  /**
   * Maps an error of `call`: a name in `gone` means the thing to undo is already gone (skipped);
   * transient errors are thrown as {@link RemediationTransientError}; the rest is a failure.
   */
  protected failure(e: unknown, call: PlannedCall, gone: Record<string, string> = {}, state: { found?: string } = {}): RemediationResult {
    const name = awsErrorName(e);
    const message = (e as Error)?.message ?? String(e);
    if (gone[name]) return this.result("apply", "skipped", `${gone[name]} (${name} from ${call.action})`, { found: gone[name] });
    if (isTransientAwsError(e)) throw new RemediationTransientError(`${describeCall(call)} failed: ${name}: ${message}`, { cause: e });
    return this.result("apply", "failed", `${describeCall(call)} failed: ${name}: ${message}`, state);
  }
}
