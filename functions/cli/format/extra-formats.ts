import type { Alert } from "../../core/alert/alert";
import { alertsToCsv } from "../../core/formats/alerts-csv";
import { toOcsfDetectionFinding } from "../../core/formats/ocsf";
import pkg from "../../../package.json";

/** Output formats for other tools: OCSF Detection Findings (JSON Lines) and CSV for spreadsheets. */
export const EXTRA_FORMATS = ["ocsf", "csv"] as const;
export type ExtraFormat = (typeof EXTRA_FORMATS)[number];

export function isExtraFormat(f: string): f is ExtraFormat {
  return (EXTRA_FORMATS as readonly string[]).includes(f);
}

/** The whole output of an extra format for these alerts (already sorted by the caller). */
export function renderExtraFormat(format: ExtraFormat, alerts: readonly Alert[]): string {
  if (format === "csv") return alertsToCsv(alerts);
  return alerts.map((a) => JSON.stringify(toOcsfDetectionFinding(a, { version: pkg.version })) + "\n").join("");
}
