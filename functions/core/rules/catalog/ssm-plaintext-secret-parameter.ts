import * as z from "../../zod";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, patternListSchema } from "../helpers";

const settingsSchema = z.strictObject({
  /**
   * Case-insensitive regular expressions tested on the normalised name (camelCase split with "_",
   * lower-cased); a name that matches one looks like a secret.
   */
  namePatterns: patternListSchema(),
  /** Case-insensitive regular expressions for names that hold metadata about a secret, not a secret (tested the same way). */
  ignorePatterns: patternListSchema(0),
  /** Exact names (case-insensitive) that are known not to be secrets. */
  allowNames: z.array(z.string()),
});
type Settings = z.infer<typeof settingsSchema>;

/** A word boundary for names: start, end or any character that is not a letter. */
const W = "(^|[^a-z])";
const E = "([^a-z]|$)";

/**
 * Defaults. Strong words match anywhere ("dbpassword"); short or ambiguous ones only as whole words
 * ("db/pass" but not "passport" or "bypass"; "slack_bot_token" but not "tokenizer").
 */
export const DEFAULT_NAME_PATTERNS = [
  "pass(word|wd|phrase)", `${W}pass${E}`, `${W}pwd${E}`, "secret", `${W}tokens?${E}`,
  "(auth|access|refresh|bearer|session|api|bot|id)_?token", "api[-_.]?keys?", "private[-_.]?keys?",
  "credentials?", `${W}creds?${E}`, "access[-_.]?keys?", "signing[-_.]?keys?", "encryption[-_.]?keys?",
  "ssh[-_.]?keys?", "conn(ection)?[-_.]?str(ing)?", `${W}dsn${E}`, "bearer", "session[-_.]?keys?",
];

/**
 * Names whose last word says they hold something *about* a secret (its ARN, name, length, rotation,
 * expiry...) or a setting that merely mentions one ("/app/token-bucket-size", "/db/password-min-length").
 */
export const DEFAULT_IGNORE_PATTERNS = [
  "[-_./](arn|name|names|id|ids|path|paths|ref|reference|version|length|size|count|limit|ttl|timeout|expiry|expiration|expires|age|days|rotation|policy|enabled|disabled|required|type|format|header|endpoint|url|uri|location|prefix|suffix)$",
];

/** "dbPassword" -> "db_password", "/App/APIKey" -> "/app/api_key": camelCase boundaries become "_". */
export function normaliseName(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

const compiled = new WeakMap<Settings, { match: RegExp[]; ignore: RegExp[]; allow: Set<string> }>();
function compile(s: Settings) {
  let c = compiled.get(s);
  if (!c) {
    c = {
      match: s.namePatterns.map((p) => new RegExp(p, "i")),
      ignore: s.ignorePatterns.map((p) => new RegExp(p, "i")),
      allow: new Set(s.allowNames.map((n) => n.toLowerCase())),
    };
    compiled.set(s, c);
  }
  return c;
}

/** The pattern that makes `name` look like a secret under these settings, or undefined. */
export function secretPatternFor(name: string, s: Settings): string | undefined {
  const c = compile(s);
  if (c.allow.has(name.toLowerCase())) return undefined;
  const n = normaliseName(name);
  if (c.ignore.some((re) => re.test(n))) return undefined;
  const i = c.match.findIndex((re) => re.test(n));
  return i >= 0 ? s.namePatterns[i] : undefined;
}

/**
 * PutParameter that stores a secret-looking name as plain `String` or `StringList` (seed 002's
 * detection, made case-insensitive, configurable and told with the parameter, principal and time).
 * A missing `type` (an overwrite that kept the old type) is not flagged: the type is unknown from the
 * event, and flagging every overwrite would bury the real findings.
 */
export default defineRule<Settings>({
  id: "ssm.plaintext-secret-parameter",
  title: "Secret-looking SSM parameter stored unencrypted",
  severity: "medium",
  description:
    "An SSM Parameter Store value whose name looks like a secret (password, token, API key, private key, credential, connection string...) was stored as String or StringList instead of SecureString: it is not encrypted with KMS, it is readable by anyone with ssm:GetParameter on it, and it shows in the console and in GetParameters output. Move it to a SecureString (or Secrets Manager) and rotate it.",
  eventSources: ["ssm.amazonaws.com"],
  eventNames: ["PutParameter"],
  match: (r, { settings }) => {
    const type = paramString(r, "type");
    const name = paramString(r, "name");
    if (!name || (type !== "String" && type !== "StringList")) return false;
    return secretPatternFor(name, settings) !== undefined;
  },
  summary: (r, { principal }) =>
    `${actor(principal)} stored parameter ${paramString(r, "name")} as plain ${paramString(r, "type")} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"}) at ${r.eventTime}; it looks like a secret and should be a SecureString`,
  context: (r, { settings }) => ({
    parameter: paramString(r, "name"),
    type: paramString(r, "type"),
    overwrite: (r.requestParameters ?? {})["overwrite"] ?? false,
    matchedPattern: secretPatternFor(paramString(r, "name") ?? "", settings),
  }),
  // Repeated puts of one parameter collapse; the version in the response tells them apart in the log.
  dedupKey: (r) => `${accountOfRecord(r)}|${r.awsRegion ?? ""}|${paramString(r, "name")}|${r.eventTime.slice(0, 10)}`,
  status: "stable",
  falsePositives: [
    "Parameters whose names contain a secret word but hold no secret (add them to `allowNames` or adjust `namePatterns`).",
  ],
  runbook: {
    triage: [
      "Which parameter and who wrote it? Who can read it (`ssm:GetParameter` on that path)?",
    ],
    contain: [
      "Re-create it as SecureString (`aws ssm put-parameter --type SecureString --overwrite`) and rotate the value it held.",
    ],
  },
  references: { mitre: ["T1552"], urls: ["https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-securestring.html"] },
  settings: {
    schema: settingsSchema,
    defaults: { namePatterns: DEFAULT_NAME_PATTERNS, ignorePatterns: DEFAULT_IGNORE_PATTERNS, allowNames: [] },
  },
});
