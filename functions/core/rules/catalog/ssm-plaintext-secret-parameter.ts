import { z } from "zod";
import { defineRule } from "../rule";
import { actor, paramString } from "../helpers";

const settingsSchema = z.object({
  /** Case-insensitive regular expressions; a parameter whose name matches any of them looks like a secret. */
  namePatterns: z.array(z.string().min(1)).min(1),
  /** Names (exact, case-insensitive) that are known not to be secrets. */
  allowNames: z.array(z.string()).default([]),
});
type Settings = { namePatterns: string[]; allowNames: string[] };

const DEFAULT_PATTERNS = [
  "pass(word|wd|phrase)?", "pwd", "secret", "token", "api[-_.]?key", "private[-_.]?key",
  "credential", "creds?\\b", "access[-_.]?key", "signing[-_.]?key", "client[-_.]?secret",
  "conn(ection)?[-_.]?str", "dsn", "bearer", "session[-_.]?key", "encryption[-_.]?key", "cert(ificate)?[-_.]?key",
];

const compiled = new WeakMap<Settings, RegExp>();
function matcher(s: Settings): RegExp {
  let re = compiled.get(s);
  if (!re) compiled.set(s, (re = new RegExp(s.namePatterns.map((p) => `(?:${p})`).join("|"), "i")));
  return re;
}

/**
 * PutParameter that stores a secret-looking name as plain `String` or `StringList` (seed 002's
 * detection, made case-insensitive, configurable and told with the parameter, principal and time).
 * A missing `type` (an overwrite that kept the old type) is not flagged: the type is unknown.
 */
export default defineRule<Settings>({
  id: "ssm.plaintext-secret-parameter",
  title: "Secret-looking SSM parameter stored unencrypted",
  severity: "high",
  description: "An SSM Parameter Store value whose name looks like a secret was stored as String or StringList instead of SecureString, so it is readable by anyone with ssm:GetParameter and is not encrypted with KMS.",
  eventSources: ["ssm.amazonaws.com"],
  eventNames: ["PutParameter"],
  match: (r, { settings }) => {
    const type = paramString(r, "type");
    const name = paramString(r, "name");
    if (!name || (type !== "String" && type !== "StringList")) return false;
    if (settings.allowNames.some((n) => n.toLowerCase() === name.toLowerCase())) return false;
    return matcher(settings).test(name);
  },
  summary: (r, { principal }) =>
    `${actor(principal)} stored parameter ${paramString(r, "name")} as plain ${paramString(r, "type")} at ${r.eventTime}; it looks like a secret and should be a SecureString`,
  context: (r, { settings }) => ({
    parameter: paramString(r, "name"),
    type: paramString(r, "type"),
    overwrite: (r.requestParameters ?? {})["overwrite"] ?? false,
    matchedPattern: settings.namePatterns.find((p) => new RegExp(p, "i").test(paramString(r, "name") ?? "")),
  }),
  dedupKey: (r) => `${r.recipientAccountId ?? ""}|${r.awsRegion ?? ""}|${paramString(r, "name")}|${r.eventID ?? r.eventTime}`,
  references: { mitre: ["T1552"], panther: [] },
  settings: { schema: settingsSchema as unknown as z.ZodType<Settings>, defaults: { namePatterns: DEFAULT_PATTERNS, allowNames: [] } },
});
