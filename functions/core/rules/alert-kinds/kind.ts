import type { Alert, Severity } from "../../alert/alert";
import { alertGuidance } from "../guidance";
import type { RuleStatus, Runbook } from "../rule";

/**
 * An alert a deployment raises outside the rule catalog: the org-anomaly capability, scoring, the
 * trail heartbeat and the trail guard's catch-all. Described beside the catalog, so that
 * `trailwatch rules` and `docs/rules.md` list every alert people can receive, and so that these alerts
 * carry ATT&CK ids and runbook steps like catalog alerts do. One file per capability, so each function
 * bundles only the descriptions of its own alerts. `test/core/rules/alert-kinds.test.ts` keeps the ids
 * equal to the ones the builders use.
 */
export interface AlertKind {
  id: string;
  title: string;
  /** The severities it is raised with, default first. */
  severities: readonly Severity[];
  /** The capability that raises it. */
  source: "org anomaly" | "scoring" | "trail heartbeat" | "trail guard";
  description: string;
  status: RuleStatus;
  falsePositives: readonly string[];
  runbook: Runbook;
  references: { mitre?: string[]; stratus?: string[]; urls?: string[] };
}

/** ATT&CK ids and runbook steps of an alert kind, for the builders of those alerts to spread into the alert. */
export function guidanceOf(k: AlertKind): Pick<Alert, "references" | "runbook"> {
  return { ...(k.references.mitre || k.references.stratus ? { references: { mitre: k.references.mitre, stratus: k.references.stratus } } : {}), ...alertGuidance(k) };
}
