import * as z from "../zod";
import type { CloudTrailRecord } from "../record/schema";
import { accountIdListSchema, accountOfRecord, actor, asList, dig } from "./helpers";
import { defineRule, type Rule } from "./rule";

/**
 * Rules for a resource shared publicly or with an untrusted account (an AMI's launch permission, an
 * EBS snapshot's create-volume permission, an RDS snapshot's restore permission): each call names
 * whom it adds in its own request shape, and everything after that is the same and made here once.
 * The event's own account and `trustedAccounts` are not reported; "all" (public) is critical.
 */

/** Who a call adds, as its request names them: public ("all") and every account id. */
export interface Grantees {
  isPublic: boolean;
  accounts: readonly string[];
}

/** What a sharing alert reports: whether it was made public, and the untrusted accounts it was shared with. */
export interface Shares {
  isPublic: boolean;
  accounts: string[];
}

/** Settings of a sharing rule: accounts a share with is not reported (e.g. your backup account). */
export interface TrustedAccountsSettings {
  trustedAccounts: string[];
}

const settingsSchema = z.strictObject({ trustedAccounts: accountIdListSchema() });

/** Who an EC2 ModifyImageAttribute or ModifySnapshotAttribute call adds to `field` (`{ group: "all" }` or `{ userId }` items). */
export function ec2PermissionGrantees(r: CloudTrailRecord, field: "launchPermission" | "createVolumePermission"): Grantees {
  const added = asList(dig(r.requestParameters, field, "add"));
  return {
    isPublic: added.some((x) => String(dig(x, "group") ?? "").toLowerCase() === "all"),
    accounts: added.map((x) => dig(x, "userId")).filter((u): u is string => typeof u === "string"),
  };
}

/** The public flag and the accounts outside the event's account and `trustedAccounts`. */
export function untrustedShares(r: CloudTrailRecord, g: Grantees, s: TrustedAccountsSettings): Shares {
  const own = accountOfRecord(r);
  return { isPublic: g.isPublic, accounts: g.accounts.filter((a) => a !== own && !s.trustedAccounts.includes(a)) };
}

/** What differs between sharing rules; the rest of `Rule` (runbook, references, ...) is passed through. */
export type SharedOutsideSpec = Omit<Rule<TrustedAccountsSettings, Shares>, "match" | "summary" | "severityFor" | "context" | "settings"> & {
  /** The resource as a summary names it, e.g. "AMI", "EBS snapshot". */
  resource: string;
  /** The context field that carries the resource's id, e.g. "imageId". */
  idField: string;
  resourceId: (r: CloudTrailRecord) => string | undefined;
  /** Whom the call adds; undefined when it changes some other attribute. */
  grantees: (r: CloudTrailRecord) => Grantees | undefined;
};

/** A rule that fires when a call makes a resource public or shares it with an untrusted account. */
export function sharedOutsideRule(spec: SharedOutsideSpec): Rule<TrustedAccountsSettings, Shares> {
  const { resource, idField, resourceId, grantees, ...rule } = spec;
  return defineRule<TrustedAccountsSettings, Shares>({
    ...rule,
    match: (r, { settings }) => {
      const g = grantees(r);
      const s = g ? untrustedShares(r, g, settings) : undefined;
      return s && (s.isPublic || s.accounts.length > 0) ? s : false;
    },
    severityFor: (_r, _ctx, s) => (s.isPublic ? "critical" : "high"),
    summary: (r, { principal }, s) => {
      const whom = s.isPublic ? "everyone (public)" : `account${s.accounts.length > 1 ? "s" : ""} ${s.accounts.join(", ")}`;
      return `${actor(principal)} shared ${resource} ${resourceId(r) ?? "(unknown)"} of account ${accountOfRecord(r)} with ${whom}`;
    },
    context: (r, _ctx, s) => ({ [idField]: resourceId(r), ...s }),
    settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
  });
}
