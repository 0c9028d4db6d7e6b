import type { Severity } from "../alert/alert";
import { severityRank } from "../alert/alert";
import { ALERT_KINDS } from "./alert-kinds/index";
import { catalog } from "./catalog";
import type { RuleStatus, Runbook, SigmaOrigin } from "./rule";
import { isThresholdRule, type CatalogRule, type ThresholdSettings } from "./threshold-rule";

/** One alert a deployment can raise, as `trailwatch rules` and `docs/rules.md` list it. */
export interface ListedAlert {
  id: string;
  title: string;
  /** Where it comes from: a single-event rule, a threshold rule, or a capability outside the catalog. */
  kind: "rule" | "threshold rule" | "org anomaly" | "scoring" | "trail heartbeat" | "trail guard";
  severity: Severity;
  /** Other severities it can be raised with (rules may change the default per record). */
  otherSeverities: Severity[];
  status: RuleStatus;
  description: string;
  /** What it watches, in words ("cloudtrail: StopLogging", "every source"). */
  watches: string;
  /** Threshold rules: "5 distinct values in 30 min, then quiet 360 min". */
  threshold?: string;
  remediation?: string;
  falsePositives: readonly string[];
  runbook?: Runbook;
  references: { mitre: string[]; stratus: string[]; panther: string[]; sigma: string[]; urls: string[]; derivedFrom: SigmaOrigin[] };
}

function watches(r: CatalogRule): string {
  const sources = r.eventSources.map((s) => s.replace(/\.amazonaws\.com$/, ""));
  const narrowed = [...(r.identityTypes ?? []), ...(r.eventTypes ?? []).map((t) => `${t} events`)];
  if (r.eventSources.includes("*")) return `every event source${narrowed.length ? ` (${narrowed.join(", ")})` : ""}`;
  return `${sources.join(", ")}: ${r.eventNames === "*" ? "any call" : r.eventNames.join(", ")}${r.eventTypes ? ` (${r.eventTypes.map((t) => `${t} events`).join(", ")})` : ""}`;
}

function fromRule(r: CatalogRule): ListedAlert {
  const t = isThresholdRule(r) ? r : undefined;
  const d = t?.settings.defaults as ThresholdSettings | undefined;
  return {
    id: r.id,
    title: r.title,
    kind: t ? "threshold rule" : "rule",
    severity: r.severity,
    otherSeverities: [],
    status: r.status ?? "stable",
    description: r.description,
    watches: watches(r),
    ...(t && d ? { threshold: `${d.threshold} ${t.count === "distinct" ? "distinct values" : "events"} within ${d.windowMinutes} min, then quiet for ${d.dedupMinutes} min` } : {}),
    ...(r.remediation ? { remediation: r.remediation } : {}),
    falsePositives: r.falsePositives ?? [],
    ...(r.runbook ? { runbook: r.runbook } : {}),
    references: {
      mitre: r.references.mitre ?? [], stratus: r.references.stratus ?? [], panther: r.references.panther ?? [], sigma: r.references.sigma ?? [], urls: r.references.urls ?? [],
      derivedFrom: r.references.derivedFrom ?? [],
    },
  };
}

/**
 * Every alert a deployment can raise: the catalog's rules and threshold rules (and `extra` rules, a
 * rules folder's), then the alerts of the org-anomaly, scoring, trail-heartbeat and trail-guard
 * capabilities. Sorted worst first, then by id.
 */
export function listAlerts(extra: readonly CatalogRule[] = []): ListedAlert[] {
  const kinds: ListedAlert[] = ALERT_KINDS.map((k) => ({
    id: k.id,
    title: k.title,
    kind: k.source,
    severity: k.severities[0]!,
    otherSeverities: k.severities.slice(1),
    status: k.status,
    description: k.description,
    watches: k.source === "trail guard" ? "trails, their buckets and keys (EventBridge, real time)" : k.source === "trail heartbeat" ? "protected trails' status (GetTrailStatus, scheduled)" : k.source === "scoring" ? "one day of an account's logs (Step Functions, daily)" : "the last hour of each account's logs against a 90-day baseline (Athena, hourly)",
    falsePositives: k.falsePositives,
    runbook: k.runbook,
    references: { mitre: k.references.mitre ?? [], stratus: k.references.stratus ?? [], panther: [], sigma: [], urls: k.references.urls ?? [], derivedFrom: [] },
  }));
  return [...catalog.map(fromRule), ...extra.map(fromRule), ...kinds].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.id.localeCompare(b.id));
}
