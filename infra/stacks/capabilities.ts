import type { Construct } from "constructs";
import type { TerraformProvider } from "cdktf";
import type { AlertLedgerRef, UndeliverableAlertsRef } from "../../modules/alerting";
import { LogAnalyzer } from "../../modules/log-analyzer";
import { OrgAnomaly } from "../../modules/org-anomaly";
import { RetroHunt } from "../../modules/retro-hunt";
import { Scoring } from "../../modules/scoring";
import { TrailGuard } from "../../modules/trail-guard";
import { enabled, type DeploymentConfig } from "../config/schema";

/** What every capability gets besides its own config section. */
export interface CapabilityContext {
  alertTopicArn: string;
  /** Alerts two capabilities may raise for one event go out once (trail guard and log analyzer). */
  alertLedger: AlertLedgerRef;
  /** Where an alert the topic refuses for good goes (trail guard, log analyzer, scoring, retro-hunt). */
  undeliverableAlerts: UndeliverableAlertsRef;
  /** Aliased providers of the watched regions other than the home region, by region. */
  regionProviders: Record<string, TerraformProvider>;
}

/**
 * The capability constructs, by config section key. Each deploys only when its section is present
 * and enabled. Adding a capability is one line here (plus its import) and one in
 * `infra/config/sections.ts`.
 */
export const CAPABILITIES: { [key: string]: (scope: Construct, cfg: DeploymentConfig, ctx: CapabilityContext) => Construct | undefined } = {
  trailGuard: (scope, cfg, ctx) => {
    const s = enabled(cfg, "trailGuard");
    return s && new TrailGuard(scope, "trail-guard", { ...s, alertTopicArn: ctx.alertTopicArn, regionProviders: ctx.regionProviders, alertLedger: ctx.alertLedger, undeliverableAlerts: ctx.undeliverableAlerts });
  },
  logAnalyzer: (scope, cfg, ctx) => {
    const s = enabled(cfg, "logAnalyzer");
    return s && new LogAnalyzer(scope, "log-analyzer", { ...s, rules: cfg.rules, alertTopicArn: ctx.alertTopicArn, alertLedger: ctx.alertLedger, undeliverableAlerts: ctx.undeliverableAlerts });
  },
  orgAnomaly: (scope, cfg, ctx) => {
    const s = enabled(cfg, "orgAnomaly");
    return s && new OrgAnomaly(scope, "org-anomaly", { ...s, alertTopicArn: ctx.alertTopicArn });
  },
  scoring: (scope, cfg, ctx) => {
    const s = enabled(cfg, "scoring");
    return s && new Scoring(scope, "scoring", { ...s, alertTopicArn: ctx.alertTopicArn, undeliverableAlerts: ctx.undeliverableAlerts });
  },
  retroHunt: (scope, cfg, ctx) => {
    const s = enabled(cfg, "retroHunt");
    return s && new RetroHunt(scope, "retro-hunt", { ...s, rules: cfg.rules, alertTopicArn: ctx.alertTopicArn, undeliverableAlerts: ctx.undeliverableAlerts });
  },
};
