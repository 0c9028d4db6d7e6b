import * as z from "../../zod";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, patternListSchema, signinFailed } from "../helpers";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions for user agents of clients that mint console sessions for you on purpose. */
  allowedUserAgentPatterns: patternListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

/**
 * GetSigninToken (the federation endpoint) by something other than the IAM Identity Center portal:
 * API credentials (an access key or a role session) turned into a console session. Tools such as
 * aws_consoler do this with stolen keys, to get the console's convenience and leave fewer API calls.
 * Legitimate tools do it too (aws-vault login, Granted, Leapp), hence low and experimental; add their
 * user agents to `allowedUserAgentPatterns` where they are sanctioned.
 */
export default defineRule<Settings>({
  id: "signin.console-token-minted",
  title: "Console session created from API credentials",
  severity: "low",
  description:
    "A console sign-in token was requested (GetSigninToken) by a client other than the IAM Identity Center portal: API credentials turned into a console session. Expected for sanctioned tools (aws-vault, Granted); otherwise how stolen keys reach the console.",
  eventSources: ["signin.amazonaws.com"],
  eventNames: ["GetSigninToken"],
  match: (r, { settings }) => !signinFailed(r) && firstMatchingPattern(settings.allowedUserAgentPatterns, r.userAgent ?? "") === undefined,
  summary: (r, { principal }) =>
    `${actor(principal)} created a console sign-in token from API credentials in account ${accountOfRecord(r)}${r.sourceIPAddress ? ` from ${r.sourceIPAddress}` : ""} (client ${r.userAgent ?? "not logged"})`,
  context: (r) => ({ userAgent: r.userAgent, identityType: r.userIdentity?.type, accessKeyId: r.userIdentity?.accessKeyId }),
  status: "experimental",
  falsePositives: [
    "Engineers opening the console from the command line with aws-vault login, Granted (assume -c), Leapp or similar tools.",
    "Break-glass scripts that federate into the console.",
  ],
  runbook: {
    triage: [
      "Identify the credentials: the access key id or role session behind the call, and who owns them.",
      "Check the source address and client (userAgent) against that owner's usual tools and locations.",
      "Follow the console session: events with the same principal and sessionCredentialFromConsole right after the token.",
    ],
    contain: [
      "If not expected: deactivate the access key (or revoke the role's sessions with an explicit deny on aws:TokenIssueTime).",
      "Review what the console session did and undo it; rotate any secret it viewed.",
    ],
  },
  references: {
    mitre: ["T1550.001", "T1078.004"],
    panther: ["AWS.Console.GetSigninToken.Abuse"],
    sigma: ["AWS Console GetSigninToken Potential Abuse"],
    urls: ["https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_providers_enable-console-custom-url.html"],
  },
  settings: {
    schema: settingsSchema,
    // The Identity Center portal's Java client; its placeholder version is what CloudTrail logs.
    defaults: { allowedUserAgentPatterns: ["^Jersey/"] },
  },
});
