import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function databaseOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "dBInstanceIdentifier");
}

/**
 * RDS database log files downloaded (DownloadDBLogFilePortion). Error, slow-query, general and audit
 * logs can hold query text, user names and sometimes passwords typed into statements. Database
 * administrators read them routinely, so the rule is low and collapses per caller, database and hour.
 */
export default defineRule({
  id: "rds.log-file-downloaded",
  title: "RDS log file downloaded",
  severity: "low",
  status: "experimental",
  description:
    "A database log file was downloaded from RDS: audit, general and slow-query logs hold query text and user names, sometimes credentials.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["DownloadDBLogFilePortion", "DownloadCompleteDBLogFile"],
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} downloaded log ${paramString(r, "logFileName") ?? "(unknown)"} of RDS instance ${databaseOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${databaseOf(r) ?? ""}|${hourOf(r)}`,
  context: (r) => ({ database: databaseOf(r), logFile: paramString(r, "logFileName") }),
  falsePositives: [
    "Database administrators troubleshooting; log shippers using the API.",
  ],
  runbook: {
    triage: [
      "Which log (audit and general are sensitive) and how much (occurrences)? Is the caller a DBA or a shipper?",
    ],
    contain: [
      "Rotate credentials found in the log; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1530", "T1552"],
    panther: ["AWS.RDS.LogFileDownloaded"],
    urls: ["https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DownloadDBLogFilePortion.html"],
  },
});
