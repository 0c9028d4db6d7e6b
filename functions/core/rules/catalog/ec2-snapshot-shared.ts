import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, paramString } from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) that snapshots may be shared with without an alert, e.g. your backup account. */
  trustedAccounts: z.array(z.string().check(z.regex(/^\d{12}$/, "must be a 12-digit AWS account id"))),
});
type Settings = z.infer<typeof settingsSchema>;

/** Who the call adds to the snapshot's create-volume permission: "all" (public) and untrusted account ids. */
export function snapshotShares(r: CloudTrailRecord, s: Settings): { isPublic: boolean; accounts: string[] } {
  const type = String(dig(r.requestParameters, "attributeType") ?? "").toUpperCase();
  if (type && type !== "CREATE_VOLUME_PERMISSION") return { isPublic: false, accounts: [] };
  const added = asList(dig(r.requestParameters, "createVolumePermission", "add"));
  const own = accountOfRecord(r);
  return {
    isPublic: added.some((x) => String(dig(x, "group") ?? "").toLowerCase() === "all"),
    accounts: added.map((x) => dig(x, "userId")).filter((u): u is string => typeof u === "string" && u !== own && !s.trustedAccounts.includes(u)),
  };
}

/**
 * An EBS snapshot shared publicly or with an untrusted account (ModifySnapshotAttribute adding
 * create-volume permission). Whoever it is shared with can copy the disk and read every file on it:
 * the Stratus "ec2-share-ebs-snapshot" exfiltration.
 */
export default defineRule<Settings>({
  id: "ec2.snapshot-shared",
  title: "EBS snapshot shared outside the account",
  severity: "high",
  description:
    "An EBS snapshot was made public or shared with another AWS account that is not listed as trusted. The receiving account can create a volume from it and read all its data. Remove the permission and find out what the snapshot contained.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["ModifySnapshotAttribute"],
  match: (r, { settings }) => {
    const s = snapshotShares(r, settings);
    return s.isPublic || s.accounts.length > 0;
  },
  severityFor: (r, { settings }) => (snapshotShares(r, settings).isPublic ? "critical" : "high"),
  summary: (r, { principal, settings }) => {
    const s = snapshotShares(r, settings);
    const whom = s.isPublic ? "everyone (public)" : `account${s.accounts.length > 1 ? "s" : ""} ${s.accounts.join(", ")}`;
    return `${actor(principal)} shared EBS snapshot ${paramString(r, "snapshotId") ?? "(unknown)"} of account ${accountOfRecord(r)} with ${whom}`;
  },
  context: (r, { settings }) => ({ snapshotId: paramString(r, "snapshotId"), ...snapshotShares(r, settings) }),
  status: "stable",
  falsePositives: [
    "Sharing snapshots with the organization's backup or disaster-recovery account (list it in `trustedAccounts`).",
  ],
  runbook: {
    triage: [
      "Which account got it, was it public, and what volume did the snapshot come from?",
      "Did the receiving account copy it already (SharedSnapshotCopyInitiated events in the receiver's trail)?",
    ],
    contain: [
      "Remove the permission (`aws ec2 modify-snapshot-attribute --create-volume-permission Remove=...`) and treat the data as exposed.",
      "Turn on snapshot block public access for the region.",
    ],
  },
  references: {
    mitre: ["T1537"],
    stratus: ["aws.exfiltration.ec2-share-ebs-snapshot"],
    panther: ["AWS.CloudTrail.SnapshotMadePublic"],
    sigma: ["AWS Snapshot Backup Exfiltration"],
    urls: ["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
