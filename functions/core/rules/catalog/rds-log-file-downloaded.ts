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
    "Someone downloaded a database log file from RDS. Audit, general and slow-query logs contain query text and user names, sometimes credentials; an attacker reads them to learn the schema and harvest secrets.",
  eventSources: ["rds.amazonaws.com"],
  eventNames: ["DownloadDBLogFilePortion", "DownloadCompleteDBLogFile"],
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} downloaded log ${paramString(r, "logFileName") ?? "(unknown)"} of RDS instance ${databaseOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${databaseOf(r) ?? ""}|${hourOf(r)}`,
  context: (r) => ({ database: databaseOf(r), logFile: paramString(r, "logFileName") }),
  falsePositives: ["Database administrators troubleshooting errors or slow queries.", "Log shippers that pull RDS logs through the API."],
  runbook: {
    triage: [
      "Which log (audit and general logs are the sensitive ones) and how much of it (occurrences)?",
      "Is the caller a database administrator or a known log shipper?",
    ],
    contain: [
      "If the log held credentials, rotate them and stop logging statement text that contains secrets.",
      "Revoke the caller's credentials if the download was not expected; restrict rds:DownloadDBLogFilePortion.",
    ],
  },
  references: {
    mitre: ["T1005", "T1552"],
    panther: ["AWS.RDS.LogFileDownloaded"],
  },
});
