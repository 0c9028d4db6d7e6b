import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, stringList } from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) that DB snapshots may be shared with without an alert. */
  trustedAccounts: z.array(z.string().check(z.regex(/^\d{12}$/, "must be a 12-digit AWS account id"))),
});
type Settings = z.infer<typeof settingsSchema>;

export function dbSnapshotShares(r: CloudTrailRecord, s: Settings): { isPublic: boolean; accounts: string[] } {
  if (paramString(r, "attributeName") !== "restore") return { isPublic: false, accounts: [] };
  const added = stringList(r.requestParameters?.["valuesToAdd"]);
  const own = accountOfRecord(r);
  return {
    isPublic: added.some((v) => v.toLowerCase() === "all"),
    accounts: added.filter((v) => v.toLowerCase() !== "all" && v !== own && !s.trustedAccounts.includes(v)),
  };
}

function snapshotOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBSnapshotIdentifier") ?? paramString(r, "dBClusterSnapshotIdentifier");
}

/**
 * An RDS or Aurora snapshot made public or shared with an untrusted account (restore permission
 * added): the receiver can restore the whole database (Stratus "rds-share-snapshot").
 */
export default defineRule<Settings>({
  id: "rds.snapshot-shared",
  title: "RDS snapshot shared outside the account",
  severity: "high",
  description:
    "A database snapshot was made public or shared with an AWS account that is not listed as trusted. The receiver can restore the database and read all its data.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["ModifyDBSnapshotAttribute", "ModifyDBClusterSnapshotAttribute"],
  match: (r, { settings }) => {
    const s = dbSnapshotShares(r, settings);
    return s.isPublic || s.accounts.length > 0;
  },
  severityFor: (r, { settings }) => (dbSnapshotShares(r, settings).isPublic ? "critical" : "high"),
  summary: (r, { principal, settings }) => {
    const s = dbSnapshotShares(r, settings);
    const whom = s.isPublic ? "everyone (public)" : `account${s.accounts.length > 1 ? "s" : ""} ${s.accounts.join(", ")}`;
    return `${actor(principal)} shared DB snapshot ${snapshotOf(r) ?? "(unknown)"} of account ${accountOfRecord(r)} with ${whom}`;
  },
  context: (r, { settings }) => ({ snapshot: snapshotOf(r), ...dbSnapshotShares(r, settings) }),
  status: "stable",
  falsePositives: [
    "Sharing snapshots with the organization's backup account (list it in `trustedAccounts`).",
  ],
  runbook: {
    triage: [
      "Which account got the snapshot, was it public, and what database did it come from?",
    ],
    contain: [
      "Remove the permission (`aws rds modify-db-snapshot-attribute --attribute-name restore --values-to-remove`) and treat the data as exposed.",
    ],
  },
  references: {
    mitre: ["T1537"],
    stratus: ["aws.exfiltration.rds-share-snapshot"],
    panther: ["AWS.RDS.SnapshotShared"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
