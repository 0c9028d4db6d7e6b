import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { dig, jsonDocument } from "../helpers";

/** `serviceEventDetails.createAccountStatus` of a CreateAccountResult (an object, or JSON text in some exports). */
function status(r: CloudTrailRecord): Record<string, unknown> | undefined {
  const details = jsonDocument((r as { serviceEventDetails?: unknown }).serviceEventDetails);
  const s = dig(details, "createAccountStatus");
  return s && typeof s === "object" ? (s as Record<string, unknown>) : undefined;
}

/** A non-empty string field; CloudTrail masks some (the account name) as asterisks, which say nothing. */
function text(v: unknown): string | undefined {
  return typeof v === "string" && v && !/^\*+$/.test(v) ? v : undefined;
}

/**
 * A new member account created in the organization (the CreateAccountResult service event, logged in
 * the management account once creation succeeded). Accounts are cheap places to hide: an attacker
 * in the management account creates one outside the guardrails' OUs to mine or stage data.
 */
export default defineRule({
  id: "organizations.account-created",
  title: "AWS account created in the organization",
  severity: "low",
  description:
    "AWS Organizations finished creating a new member account. Normal when the account vending process runs; otherwise someone with access to the management account made an account that may sit outside your OUs, SCPs and logging.",
  eventSources: ["organizations.amazonaws.com"],
  eventNames: ["CreateAccountResult"],
  match: (r) => String(status(r)?.state ?? "").toUpperCase() === "SUCCEEDED",
  summary: (r) => {
    const s = status(r);
    return `AWS Organizations created account ${text(s?.accountId) ?? "(id not logged)"}${text(s?.accountName) ? ` named ${text(s?.accountName)}` : ""} in organization management account ${r.recipientAccountId ?? "unknown"}`;
  },
  context: (r) => {
    const s = status(r);
    return { accountId: text(s?.accountId), accountName: text(s?.accountName), requestId: text(s?.id), requestedAt: text(s?.requestedTimestamp) };
  },
  status: "stable",
  falsePositives: ["Your account vending machine (Control Tower Account Factory, AFT, a Terraform pipeline) creating accounts on request."],
  runbook: {
    triage: [
      "Find the CreateAccount call with the same request id (context.requestId) and who made it.",
      "Check the request against your account vending tickets; which OU is the account in now?",
    ],
    contain: [
      "Move the account into a quarantine OU with a deny-all SCP while you find out.",
      "If it is not yours: close it (CloseAccount) after reviewing what was launched in it, and rotate the management account credentials used.",
    ],
  },
  references: {
    mitre: ["T1136.003"],
    panther: ["Standard.NewAWSAccountCreated"],
    urls: ["https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html"],
  },
});
