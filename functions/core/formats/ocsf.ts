import { isIP } from "node:net";
import type { Alert, Severity } from "../alert/alert";
import { shortPrincipal } from "../record/principal";

/**
 * Alerts as OCSF Detection Findings (class 2004, category Findings), the shape Amazon Security Lake
 * and OCSF-aware SIEMs take as is. The mapping, field by field, is written down in docs/ocsf.md.
 */

/** The released OCSF schema version the findings declare (`metadata.version`). */
export const OCSF_VERSION = "1.4.0";
export const OCSF_CATEGORY_UID = 2;
export const OCSF_CLASS_UID = 2004;
/** Activity 1 (Create): each run reports what it found; trailwatch keeps no finding state to update or close. */
export const OCSF_ACTIVITY_CREATE = 1;

const SEVERITY: Record<Severity, { id: number; name: string }> = {
  info: { id: 1, name: "Informational" },
  low: { id: 2, name: "Low" },
  medium: { id: 3, name: "Medium" },
  high: { id: 4, name: "High" },
  critical: { id: 5, name: "Critical" },
};

/** OCSF user `type_id`: 1 User, 2 Admin, 3 System, 99 Other, 0 Unknown. */
function userType(principalType: string | undefined): { type_id: number; type?: string } {
  switch (principalType) {
    case "Root":
      return { type_id: 2, type: "Admin" };
    case "IAMUser":
    case "IdentityCenterUser":
    case "SAMLUser":
    case "WebIdentityUser":
      return { type_id: 1, type: "User" };
    case "AWSService":
      return { type_id: 3, type: "System" };
    case undefined:
    case "":
      return { type_id: 0, type: "Unknown" };
    default:
      return { type_id: 99, type: principalType };
  }
}

function epochMs(iso: string | undefined, fallback: number): number {
  const t = iso === undefined ? Number.NaN : Date.parse(iso);
  return Number.isFinite(t) ? t : fallback;
}

/** MITRE ATT&CK ids as OCSF attacks: `T1562.008` is technique T1562 with sub-technique T1562.008. */
function attacks(ids: readonly string[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const m = /^(T\d{4})(\.\d{3})?$/.exec(id);
    if (!m) continue;
    out.push(m[2] ? { technique: { uid: m[1] }, sub_technique: { uid: id } } : { technique: { uid: id } });
  }
  return out;
}

/** The product that wrote the findings. */
export interface OcsfProduct {
  version: string;
}

/**
 * One alert as an OCSF Detection Finding. Deterministic: the same alert gives the same finding
 * (`now` is only used when the alert's time cannot be read).
 */
export function toOcsfDetectionFinding(a: Alert, product: OcsfProduct, now = Date.now()): Record<string, unknown> {
  const sev = SEVERITY[a.severity] ?? { id: 0, name: "Unknown" };
  const time = epochMs(a.eventTime, now);
  const ip = typeof a.context?.sourceIPAddress === "string" && isIP(a.context.sourceIPAddress) ? a.context.sourceIPAddress : undefined;
  const att = attacks(a.references?.mitre ?? []);
  return {
    activity_id: OCSF_ACTIVITY_CREATE,
    activity_name: "Create",
    category_uid: OCSF_CATEGORY_UID,
    category_name: "Findings",
    class_uid: OCSF_CLASS_UID,
    class_name: "Detection Finding",
    type_uid: OCSF_CLASS_UID * 100 + OCSF_ACTIVITY_CREATE,
    type_name: "Detection Finding: Create",
    severity_id: sev.id,
    severity: sev.name,
    status_id: 1,
    status: "New",
    is_alert: true,
    time,
    message: a.summary,
    metadata: {
      version: OCSF_VERSION,
      product: { name: "trailwatch", vendor_name: "trailwatch", version: product.version },
      original_time: a.eventTime,
      tenant_uid: a.account,
    },
    finding_info: {
      uid: a.id,
      title: a.title,
      desc: a.summary,
      types: [a.rule],
      analytic: { uid: a.rule, name: a.rule, type_id: 1, type: "Rule" },
      first_seen_time: time,
      last_seen_time: epochMs(a.lastEventTime, time),
      ...(att.length ? { attacks: att } : {}),
    },
    cloud: { provider: "AWS", region: a.region, account: { uid: a.account } },
    evidences: [
      {
        actor: { user: { uid: a.principal, name: shortPrincipal(a.principal), ...userType(a.principalType) } },
        api: { operation: a.eventName, service: { name: a.eventSource }, ...(a.eventId ? { request: { uid: a.eventId } } : {}) },
        ...(ip ? { src_endpoint: { ip } } : {}),
      },
    ],
    ...(a.remediation ? { remediation: { desc: `${a.remediation.action} (${a.remediation.mode}): ${a.remediation.status}: ${a.remediation.detail}` } } : {}),
    unmapped: {
      trailwatch: {
        rule: a.rule,
        occurrences: a.occurrences ?? 1,
        ...(a.principalType ? { principal_type: a.principalType } : {}),
        ...(a.references ? { references: a.references } : {}),
        context: a.context ?? {},
      },
    },
  };
}
