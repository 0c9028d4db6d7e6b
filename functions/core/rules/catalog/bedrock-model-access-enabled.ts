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
    "Someone enabled access to Amazon Bedrock foundation models: submitted the use-case form, accepted a model agreement or created a model entitlement. Attackers with stolen keys do this before running models at the account's cost.",
  eventSources: ["bedrock.amazonaws.com"],
  eventNames: ["PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"],
  match: (r) => !calledByAwsService(r),
  summary: (r, { principal }) =>
    `${actor(principal)} called ${r.eventName}${modelOf(r) ? ` for ${modelOf(r)}` : ""} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"}) to enable Bedrock model access`,
  dedupKey: (r, { principal }) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${hourOf(r)}`,
  context: (r) => ({ call: r.eventName, modelId: paramString(r, "modelId"), region: r.awsRegion }),
  falsePositives: ["A team starting to use a new Bedrock model (once per model and account)."],
  runbook: {
    triage: [
      "Is a team starting to use Bedrock in this account and region? Ask the account owner.",
      "Look for InvokeModel / Converse calls by the same principal afterwards, their volume and regions.",
      "Is model invocation logging on (bedrock get-model-invocation-logging-configuration)? Turn it on to see prompts.",
    ],
    contain: [
      "Revoke the caller's credentials if not expected; deny bedrock:InvokeModel* with an SCP in accounts that do not use Bedrock.",
      "Check the bill for Bedrock usage in every region.",
    ],
  },
  references: {
    mitre: ["T1496", "T1098"],
    stratus: ["aws.impact.bedrock-invoke-model"],
  },
});
