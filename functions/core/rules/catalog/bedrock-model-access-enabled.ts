import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, hourOf, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

function modelOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "modelId") ?? paramString(r, "offerToken")?.slice(0, 40);
}

/**
 * Access to Bedrock foundation models requested or granted: the use-case form submitted, a model
 * agreement accepted, an entitlement created. Accounts do this once per model; attackers who stole
 * keys do it first, to run models at the victim's cost ("LLMjacking", Stratus "bedrock-invoke-model").
 * The invocations themselves are left to the anomaly engine (a principal invoking models for the first
 * time). One alert per caller and hour.
 */
export default defineRule({
  id: "bedrock.model-access-enabled",
  title: "Bedrock model access enabled",
  severity: "medium",
  status: "experimental",
  description:
    "Access to Bedrock foundation models was requested or granted; attackers with stolen keys do this before running models at the account's cost.",
  eventSources: ["bedrock.amazonaws.com"],
  eventNames: ["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"],
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} called ${r.eventName}${modelOf(r) ? ` for ${modelOf(r)}` : ""} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"}) to enable Bedrock model access`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${hourOf(r)}`,
  context: (r) => ({ call: r.eventName, modelId: paramString(r, "modelId"), region: r.awsRegion }),
  falsePositives: [
    "A team starting to use a new model (once per model and account).",
  ],
  runbook: {
    triage: [
      "Is a team starting with Bedrock here? Did InvokeModel/Converse calls follow, in which regions?",
    ],
    contain: [
      "Revoke the caller's credentials if not expected; deny bedrock:InvokeModel* by SCP where Bedrock is not used; check the bill.",
    ],
  },
  references: {
    mitre: ["T1496", "T1098"],
    stratus: ["aws.impact.bedrock-invoke-model"],
    urls: ["https://docs.aws.amazon.com/bedrock/latest/userguide/model-access.html"],
  },
});
