import { isIP } from "node:net";
import type { Alert, Severity } from "../alert/alert";
import { clip } from "../alert/bound";
import { visible } from "../alert/escape";
import { asffTypeOfTechnique } from "./asff-types";
import { isPartition } from "../aws/partition";

/**
 * Alerts as AWS Security Finding Format (ASFF) findings for Security Hub's `BatchImportFindings`,
 * through the account's default product (a custom integration). Pure: the Security Hub sink sends
 * them. The mapping:
 *
 * | ASFF | from the alert |
 * |---|---|
 * | `Id` | `trailwatch/<alert id>`: the same alert always updates the same finding |
 * | `GeneratorId` | `trailwatch/<rule id>` |
 * | `AwsAccountId` | the deployment's account (the default product accepts findings of the calling account only); the alert's account is a resource and a product field |
 * | `Types`, `FindingProviderFields.Types` | `TTPs/<tactic>/<technique>` or `Effects/<effect>/<technique>` per ATT&CK id (asff-types.ts); without one, `Unusual Behaviors/User/<rule>` (anomaly, score) or `Software and Configuration Checks/AWS Security Best Practices/<rule>` |
 * | `CreatedAt`, `FirstObservedAt` | the first event; `LastObservedAt` the last (`lastEventTime`); `UpdatedAt` when sent |
 * | `Severity`, `FindingProviderFields.Severity` | `Label` info INFORMATIONAL, low LOW, medium MEDIUM, high HIGH, critical CRITICAL; `Original` the alert's |
 * | `Title`, `Description` | title (256 characters) and summary (1,024), control characters written out |
 * | `Resources` | the account (`AwsAccount`), the principal (`AwsIamRole`, `AwsIamUser`, or `Other`) |
 * | `Action` | `AWS_API_CALL`: API, service, caller IP, first and last seen |
 * | `RecordState`, `Workflow.Status` | a remediation that succeeded (apply): `ARCHIVED`, `RESOLVED`; else `ACTIVE`, `NEW` |
 * | `Remediation.Recommendation.Text` | the remediation's action, mode, status and detail |
 * | `ProductFields` | `trailwatch/*`: alert id, rule, account, region, principal, event, occurrences, ATT&CK and Stratus ids, retro-hunt, context (JSON, 2,048 characters) |
 *
 * ATT&CK ids go in `Types` (and `ProductFields`): `ThreatIntelIndicators` only holds indicators such
 * as IP addresses, domains and hashes, and has no type for an ATT&CK technique.
 */

/** The ASFF schema version findings declare. */
export const ASFF_SCHEMA_VERSION = "2018-10-08";
/** Security Hub refuses a finding larger than 240 KB. */
export const ASFF_MAX_FINDING_BYTES = 240 * 1000;
/** Findings per BatchImportFindings request. */
export const ASFF_MAX_BATCH = 100;

const LABEL: Record<Severity, AsffSeverityLabel> = { info: "INFORMATIONAL", low: "LOW", medium: "MEDIUM", high: "HIGH", critical: "CRITICAL" };

export type AsffSeverityLabel = "INFORMATIONAL" | "LOW" | "MEDIUM" | "HIGH" | "CRITICAL";

/** The ASFF fields trailwatch fills (a subset of `AwsSecurityFinding`). */
export interface AsffFinding {
  SchemaVersion: string;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  Region: string;
  GeneratorId: string;
  AwsAccountId: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt: string;
  LastObservedAt: string;
  Severity: { Label: AsffSeverityLabel; Original: string };
  Title: string;
  Description: string;
  Resources: { Type: string; Id: string; Partition: string; Region: string }[];
  ProductFields: Record<string, string>;
  FindingProviderFields: { Severity: { Label: AsffSeverityLabel; Original: string }; Types: string[] };
  RecordState: "ACTIVE" | "ARCHIVED";
  Workflow: { Status: "NEW" | "RESOLVED" };
  Action?: {
    ActionType: "AWS_API_CALL";
    AwsApiCallAction: { Api: string; ServiceName: string; CallerType?: string; RemoteIpDetails?: { IpAddressV4: string }; FirstSeen: string; LastSeen: string };
  };
  Remediation?: { Recommendation: { Text: string } };
}

/** Where findings are imported: the deployment's partition, region (Security Hub's) and account. */
export interface AsffTarget {
  partition: string;
  region: string;
  account: string;
}

/** A finding larger than Security Hub takes even without its optional parts (cannot happen to a bounded alert). */
export class AsffFindingTooLargeError extends Error {
  override name = "AsffFindingTooLargeError";
}

/** The default product of an account: what a custom integration imports findings as. */
export function securityHubProductArn(t: AsffTarget): string {
  return `arn:${t.partition}:securityhub:${t.region}:${t.account}:product/${t.account}/default`;
}

/** The finding id of an alert: stable, so a repeat of the alert updates its finding. */
export function asffFindingId(alert: Pick<Alert, "id">): string {
  return `trailwatch/${clip(alert.id, 256)}`;
}

/** An ISO 8601 timestamp Security Hub accepts, or `fallback` when the text is not a time. */
function timestamp(t: string | undefined, fallback: Date): string {
  const ms = t === undefined ? Number.NaN : Date.parse(t);
  return new Date(Number.isFinite(ms) ? ms : fallback.getTime()).toISOString();
}

const ARN_PRINCIPAL = /^arn:(aws[a-z-]*):(?:iam|sts)::(\d{12}):(role|user|root|assumed-role)(?:\/.*)?$/;

function resources(a: Alert, t: AsffTarget): AsffFinding["Resources"] {
  const region = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(a.region) ? a.region : t.region;
  const partition = isPartition(t.partition) ? t.partition : "aws";
  const out: AsffFinding["Resources"] = [];
  if (/^\d{12}$/.test(a.account)) out.push({ Type: "AwsAccount", Id: `AWS::::Account:${a.account}`, Partition: partition, Region: region });
  const m = ARN_PRINCIPAL.exec(a.principal ?? "");
  if (m && m[3] === "role") out.push({ Type: "AwsIamRole", Id: clip(a.principal, 500), Partition: partition, Region: region });
  else if (m && m[3] === "user") out.push({ Type: "AwsIamUser", Id: clip(a.principal, 500), Partition: partition, Region: region });
  else if (a.principal && !(m && m[3] === "root")) out.push({ Type: "Other", Id: clip(visible(a.principal), 500), Partition: partition, Region: region });
  if (out.length === 0) out.push({ Type: "Other", Id: clip(visible(a.account || "unknown"), 500), Partition: partition, Region: region });
  return out;
}

function types(a: Alert): string[] {
  const ttps = [...new Set((a.references?.mitre ?? []).map(asffTypeOfTechnique).filter((x): x is string => x !== undefined))].slice(0, 50);
  if (ttps.length > 0) return ttps;
  const rule = clip(a.rule, 100);
  return /^(anomaly|score)\./.test(a.rule) ? [`Unusual Behaviors/User/${rule}`] : [`Software and Configuration Checks/AWS Security Best Practices/${rule}`];
}

/** Product fields: at most 50, keys up to 128 characters, values up to 2,048 (ASFF's limits). */
function productFields(a: Alert, withContext: boolean): Record<string, string> {
  const f: Record<string, string | undefined> = {
    "trailwatch/AlertId": a.id,
    "trailwatch/Rule": a.rule,
    "trailwatch/Account": a.account,
    "trailwatch/Region": a.region,
    "trailwatch/Principal": a.principal,
    "trailwatch/PrincipalType": a.principalType,
    "trailwatch/EventSource": a.eventSource,
    "trailwatch/EventName": a.eventName,
    "trailwatch/EventId": a.eventId ?? undefined,
    "trailwatch/EventTime": a.eventTime,
    "trailwatch/LastEventTime": a.lastEventTime,
    "trailwatch/Occurrences": String(a.occurrences ?? 1),
    "trailwatch/Mitre": a.references?.mitre?.join(","),
    "trailwatch/Stratus": a.references?.stratus?.join(","),
    "trailwatch/Remediation": a.remediation ? `${a.remediation.action} (${a.remediation.mode}): ${a.remediation.status}` : undefined,
    "trailwatch/RetroHunt": a.retroHunt ? `${a.retroHunt.hunt} (${a.retroHunt.from} to ${a.retroHunt.to})` : undefined,
    "trailwatch/Context": withContext && a.context && Object.keys(a.context).length > 0 ? JSON.stringify(a.context) : undefined,
  };
  return Object.fromEntries(Object.entries(f).filter((e): e is [string, string] => typeof e[1] === "string" && e[1] !== "").map(([k, v]) => [k, clip(v, 2048)]));
}

/**
 * One alert as an ASFF finding of `target`'s default product. Deterministic but for `UpdatedAt`
 * (`now`). Within {@link ASFF_MAX_FINDING_BYTES}: a finding that would be larger goes without its
 * context product field; {@link AsffFindingTooLargeError} if even that does not fit.
 */
export function toAsffFinding(a: Alert, target: AsffTarget, now: Date, maxBytes = ASFF_MAX_FINDING_BYTES): AsffFinding {
  const label = LABEL[a.severity] ?? "INFORMATIONAL";
  const severity = { Label: label, Original: clip(String(a.severity), 64) };
  const first = timestamp(a.eventTime, now);
  // A record can claim any time; Security Hub's CreatedAt is not after the finding is sent.
  const created = first > now.toISOString() ? now.toISOString() : first;
  const last = timestamp(a.lastEventTime ?? a.eventTime, now);
  const remediated = a.remediation?.status === "succeeded" && a.remediation.mode === "apply";
  const ty = types(a);
  const ip = typeof a.context?.sourceIPAddress === "string" && isIP(a.context.sourceIPAddress) === 4 ? a.context.sourceIPAddress : undefined;
  const build = (withContext: boolean): AsffFinding => ({
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: asffFindingId(a),
    ProductArn: securityHubProductArn(target),
    ProductName: "trailwatch",
    CompanyName: "trailwatch",
    Region: target.region,
    GeneratorId: `trailwatch/${clip(a.rule, 256)}`,
    AwsAccountId: target.account,
    Types: ty,
    CreatedAt: created,
    UpdatedAt: now.toISOString(),
    FirstObservedAt: first,
    LastObservedAt: last > first ? last : first,
    Severity: severity,
    Title: clip(visible(a.title || a.rule), 256),
    Description: clip(visible(a.summary || a.title || a.rule), 1024),
    Resources: resources(a, target),
    ProductFields: productFields(a, withContext),
    FindingProviderFields: { Severity: severity, Types: ty },
    RecordState: remediated ? "ARCHIVED" : "ACTIVE",
    Workflow: { Status: remediated ? "RESOLVED" : "NEW" },
    ...(a.eventName && a.eventSource
      ? {
          Action: {
            ActionType: "AWS_API_CALL" as const,
            AwsApiCallAction: {
              Api: clip(a.eventName, 256),
              ServiceName: clip(a.eventSource, 256),
              ...(ip ? { CallerType: "remoteip", RemoteIpDetails: { IpAddressV4: ip } } : {}),
              FirstSeen: first,
              LastSeen: last > first ? last : first,
            },
          },
        }
      : {}),
    ...(a.remediation ? { Remediation: { Recommendation: { Text: clip(visible(`${a.remediation.action} (${a.remediation.mode}): ${a.remediation.status}: ${a.remediation.detail}`), 512) } } } : {}),
  });
  for (const withContext of [true, false]) {
    const f = build(withContext);
    if (Buffer.byteLength(JSON.stringify(f)) <= maxBytes) return f;
  }
  throw new AsffFindingTooLargeError(`alert ${a.id} (${a.rule}) is larger than Security Hub's ${maxBytes.toLocaleString("en-US")}-byte finding limit even without its context`);
}
