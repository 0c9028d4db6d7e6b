import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, hourOf, paramString, patternListSchema } from "../helpers";

/** File names ransomware leaves behind ("HOW_TO_DECRYPT_FILES.txt", "README-RECOVER-FILES.html", ...). */
export const DEFAULT_NOTE_PATTERNS = [
  "(how|what)[ _.-]*to[ _.-]*(decrypt|recover|restore|unlock|get[ _.-]*back)",
  "(decrypt|recover|restore|unlock)[ _.-]*(my|your|all|the)?[ _.-]*(files|data)",
  "read[ _.-]*me[ _.-]*(to|for|now)?[ _.-]*(decrypt|recover|restore|unlock)",
  "(files|data)[ _.-]*(are|were|is|has been|have been)?[ _.-]*encrypted",
  "ransom",
  "your[ _.-]*(files|data)[ _.-]*(are|were|is)",
];

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions on the object's file name (the last part of its key). */
  notePatterns: patternListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

function fileName(r: CloudTrailRecord): string {
  const key = paramString(r, "key") ?? "";
  return key.slice(key.lastIndexOf("/") + 1).slice(0, 256);
}

/**
 * An object uploaded whose file name reads like a ransom note. Ransomware drops the note next to the
 * data it encrypted or deleted; seeing it is late, but it is the clearest sign of what happened, so
 * high. Collapses per caller, bucket and hour (notes are written into many prefixes).
 */
export default defineRule<Settings, string>({
  id: "s3.ransom-note-uploaded",
  title: "Ransom note uploaded to S3",
  severity: "high",
  description:
    "An object named like a ransom note (\"HOW_TO_DECRYPT_FILES.txt\") was uploaded: ransomware leaves one next to the data it encrypted or deleted.",
  eventSources: ["s3.amazonaws.com"],
  eventNames: ["PutObject"],
  match: (r, { settings }) => firstMatchingPattern(settings.notePatterns, fileName(r)),
  summary: (r, { principal }) =>
    `${actor(principal)} uploaded ${fileName(r)} to bucket ${paramString(r, "bucketName") ?? "(unknown)"} in account ${accountOfRecord(r)}, a file name ransomware uses for its note`,
  dedupKey: (r, { principal }) => `${principal.id}|${paramString(r, "bucketName") ?? ""}|${hourOf(r)}`,
  context: (r, _c, pattern) => ({ bucket: paramString(r, "bucketName"), key: paramString(r, "key"), matchedPattern: pattern }),
  status: "experimental",
  falsePositives: [
    "Training material or exercises that upload sample notes.",
  ],
  runbook: {
    triage: [
      "Read the note; which objects were deleted, overwritten or re-encrypted before?",
      "Which credentials were used, from where?",
    ],
    contain: [
      "Revoke the credentials and deny writes to the bucket; restore from versions, replicas or backups; keep the note as evidence.",
    ],
  },
  references: {
    mitre: ["T1486", "T1491"],
    panther: ["AWS.S3.RansomwareNoteUpload"],
    urls: ["https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html"],
  },
  settings: { schema: settingsSchema, defaults: { notePatterns: DEFAULT_NOTE_PATTERNS } },
});
