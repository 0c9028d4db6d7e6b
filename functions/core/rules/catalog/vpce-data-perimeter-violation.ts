import * as z from "../../zod";
import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountIdListSchema, accountOfRecord, actor } from "../helpers";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) whose credentials may be used through your VPC endpoints, e.g. the other accounts of your organization. */
  trustedAccounts: accountIdListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

interface Violation {
  kind: "denied-by-endpoint-policy" | "foreign-credentials" | "public-source-address";
  severity: Severity;
  what: string;
}

/** True for an IPv4 address that is routable on the internet (not private, loopback, link-local, CGNAT or reserved). */
export function isPublicIPv4(ip: string | null | undefined): boolean {
  if (!ip) return false;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if ([a, b, Number(m[3]), Number(m[4])].some((n) => n > 255)) return false;
  if (a === 10 || a === 127 || a === 0 || a >= 224) return false;
  if (a === 172 && b >= 16 && b <= 31) return false;
  if (a === 192 && b === 168) return false;
  if (a === 169 && b === 254) return false;
  if (a === 100 && b >= 64 && b <= 127) return false;
  return true;
}

/** The account that owns the VPC endpoint the call went through. */
function endpointAccount(r: CloudTrailRecord): string {
  const v = (r as { vpcEndpointAccountId?: unknown }).vpcEndpointAccountId;
  return typeof v === "string" && v ? v : accountOfRecord(r);
}

/** What is wrong with a VPC endpoint network activity event, or undefined when nothing is. */
export function perimeterViolation(r: CloudTrailRecord, s: Settings): Violation | undefined {
  if (r.errorCode === "VpceAccessDenied") {
    return { kind: "denied-by-endpoint-policy", severity: "low", what: "was refused by the VPC endpoint policy" };
  }
  if (r.errorCode) return undefined;
  const caller = r.userIdentity?.accountId;
  const owner = endpointAccount(r);
  if (caller && /^\d{12}$/.test(caller) && caller !== owner && !s.trustedAccounts.includes(caller)) {
    return { kind: "foreign-credentials", severity: "medium", what: `used credentials of account ${caller}, which does not own the endpoint` };
  }
  if (r.eventSource === "s3.amazonaws.com" && isPublicIPv4(r.sourceIPAddress)) {
    return { kind: "public-source-address", severity: "medium", what: `came from the public address ${r.sourceIPAddress}` };
  }
  return undefined;
}

/**
 * Network activity events of VPC endpoints (eventType `AwsVpceEvent`) that break a data perimeter: a
 * call refused by the endpoint policy, a call made through your endpoint with another account's
 * credentials (data leaving to an attacker's bucket or key), or an S3 call through the endpoint from a
 * public address. Only endpoints with network activity logging enabled produce these events.
 */
export default defineRule<Settings, Violation>({
  id: "vpce.data-perimeter-violation",
  title: "VPC endpoint used outside the data perimeter",
  severity: "medium",
  status: "experimental",
  description:
    "A call through a VPC endpoint was refused by its policy, used another account's credentials, or reached S3 from a public address: how data leaves for an outside account.",
  eventSources: ["*"],
  eventNames: "*",
  eventTypes: ["AwsVpceEvent"],
  includeFailedCalls: true,
  match: (r, { settings }) => perimeterViolation(r, settings),
  severityFor: (_r, _c, v) => v.severity,
  summary: (r, { principal }, v) =>
    `${r.eventSource.replace(".amazonaws.com", "")} ${r.eventName} by ${actor(principal)} through VPC endpoint ${r.vpcEndpointId ?? "(unknown)"} of account ${endpointAccount(r)} ${v.what}`,
  dedupKey: (r, { principal }, v) => `${v.kind}|${r.vpcEndpointId ?? ""}|${principal.id}|${r.eventTime.slice(0, 13)}`,
  context: (r, _c, v) => ({
    violation: v.kind,
    vpcEndpointId: r.vpcEndpointId ?? undefined,
    endpointAccount: endpointAccount(r),
    callerAccount: r.userIdentity?.accountId,
    call: `${r.eventSource}:${r.eventName}`,
  }),
  falsePositives: [
    "Your organization's accounts using a shared endpoint (list them in trustedAccounts).",
    "Denials right after a stricter endpoint policy.",
  ],
  runbook: {
    triage: [
      "Which workload made the call (map the private source address)?",
      "Whose is the foreign account, and which bucket, key or secret did the call name?",
    ],
    contain: [
      "Isolate the workload and rotate its credentials.",
      "Limit the endpoint policy to your organization (aws:PrincipalOrgID, aws:ResourceOrgID).",
    ],
  },
  references: {
    mitre: ["T1537", "T1567"],
    panther: ["AWS.CloudTrail.VPCE.AccessDenied", "AWS.CloudTrail.VPCE.ExternalPrincipal", "AWS.CloudTrail.VPCE.S3ExternalIP"],
    urls: ["https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-network-events-with-cloudtrail.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedAccounts: [] } },
});
