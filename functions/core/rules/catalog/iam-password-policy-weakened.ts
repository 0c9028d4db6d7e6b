import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { params } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool } from "../helpers";

const settingsSchema = z.strictObject({
  /** Shortest acceptable minimum password length (CIS AWS Foundations asks for 14). */
  minLength: z.int().check(z.minimum(6), z.maximum(128)),
  /** Fewest remembered passwords that may not be reused (CIS asks for 24); 0 turns the check off. */
  minReusePrevention: z.int().check(z.minimum(0), z.maximum(24)),
});
type Settings = z.infer<typeof settingsSchema>;

/**
 * Weaknesses of the policy an UpdateAccountPasswordPolicy call sets. The call replaces the whole
 * policy (an omitted setting falls back to its default), so the request alone is the new policy.
 */
export function passwordPolicyWeaknesses(r: CloudTrailRecord, s: Settings): string[] {
  if (r.eventName === "DeleteAccountPasswordPolicy") return ["password policy deleted: IAM users may now set any password of 8+ characters"];
  const p = params(r);
  const out: string[] = [];
  const len = typeof p.minimumPasswordLength === "number" ? p.minimumPasswordLength : 8;
  if (len < s.minLength) out.push(`minimum length ${len} (below ${s.minLength})`);
  const reuse = typeof p.passwordReusePrevention === "number" ? p.passwordReusePrevention : 0;
  if (s.minReusePrevention > 0 && reuse < s.minReusePrevention) out.push(`password reuse prevention ${reuse || "off"} (below ${s.minReusePrevention})`);
  const classes = ["requireSymbols", "requireNumbers", "requireUppercaseCharacters", "requireLowercaseCharacters"].filter((k) => asBool(p[k]) !== true);
  if (classes.length === 4) out.push("no character classes required");
  return out;
}

/** The account password policy was deleted or set below the configured baseline. */
export default defineRule<Settings>({
  id: "iam.password-policy-weakened",
  title: "IAM password policy weakened",
  severity: "low",
  description:
    "The account's IAM password policy was deleted or set weaker than the baseline (minimum length, reuse prevention, character classes). Weak passwords make console accounts easier to guess or spray.",
  eventSources: ["iam.amazonaws.com"],
  eventNames: ["UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"],
  match: (r, { settings }) => passwordPolicyWeaknesses(r, settings).length > 0,
  severityFor: (r) => (r.eventName === "DeleteAccountPasswordPolicy" ? "medium" : "low"),
  summary: (r, { principal, settings }) =>
    `${actor(principal)} ${r.eventName === "DeleteAccountPasswordPolicy" ? "deleted" : "weakened"} the IAM password policy of account ${accountOfRecord(r)}: ${passwordPolicyWeaknesses(r, settings).join("; ")}`,
  context: (r, { settings }) => ({ weaknesses: passwordPolicyWeaknesses(r, settings) }),
  status: "stable",
  falsePositives: [
    "Accounts without console users where the password policy does not matter (still better kept strict).",
  ],
  runbook: {
    triage: [
      "What changed (context) and who did it?",
    ],
    contain: [
      "Restore the policy (`aws iam update-account-password-policy`) from infrastructure code.",
    ],
  },
  references: { mitre: ["T1556", "T1110"], urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html"] },
  settings: { schema: settingsSchema, defaults: { minLength: 14, minReusePrevention: 24 } },
});
