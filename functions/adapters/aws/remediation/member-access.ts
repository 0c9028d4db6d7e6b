import type { RemediationId } from "../../../core/rules/rule";
import type { EventHistory } from "./event-history";
import type { PlanningRemediator } from "./types";

/**
 * Access to the other accounts of the Organization, for `RemediationRunner`: a role of this
 * name in each member account that the runner's function may assume.
 */
export interface MemberAccounts {
  /** The member role's name: events made by its sessions, in any account, are never remediated (no loops). */
  readonly roleName: string;
  /**
   * Makes sure the member role of `account` can be assumed now (credentials cached per account).
   * Rejects with {@link MemberRoleError} naming the account and the role, or with
   * `RemediationTransientError` when STS failed in a way that may pass (throttling, 5xx).
   */
  access(account: string): Promise<void>;
  /** The remediators acting in `account` with the member role's credentials. */
  remediators(account: string): Readonly<Partial<Record<RemediationId, PlanningRemediator>>>;
  /** CloudTrail's event history of `account`, read with the member role's credentials (the event's authoritative copy). */
  eventHistory(account: string): EventHistory;
}

/** The member role of an account cannot be assumed; the message names the account, the role and what to check. */
export class MemberRoleError extends Error {
  override name = "MemberRoleError";
}
