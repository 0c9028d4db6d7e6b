import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";

const WHAT: Record<string, string> = {
  DeleteModelInvocationLoggingConfiguration: "deleted Bedrock model invocation logging",
  DeleteGuardrail: "deleted Bedrock guardrail",
  UpdateGuardrail: "changed Bedrock guardrail",
};

/**
 * Amazon Bedrock's safeguards removed or changed: model invocation logging (the only record of which
 * prompts went in and what came out) deleted, or a guardrail (content filters, denied topics,
 * sensitive-information redaction) deleted or changed. Someone abusing models on your account, or
 * misusing an application, removes these first.
 */
export default defineRule({
  id: "bedrock.safeguards-changed",
  title: "Bedrock invocation logging or guardrail removed or changed",
  severity: "medium",
  description:
    "Bedrock model invocation logging was deleted, or a guardrail deleted or changed. Without invocation logging, prompts and answers are unrecorded; without the guardrail, content filters and redaction are gone. Guardrail updates are often tuning (low).",
  eventSources: ["bedrock.amazonaws.com"],
  eventNames: Object.keys(WHAT),
  match: () => true,
  severityFor: (r) => (r.eventName === "UpdateGuardrail" ? "low" : "medium"),
  summary: (r, { principal }) => {
    const guardrail = paramString(r, "guardrailIdentifier");
    return `${actor(principal)} ${WHAT[r.eventName]}${guardrail ? ` ${guardrail}` : ""} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`;
  },
  context: (r) => ({ action: r.eventName, guardrail: paramString(r, "guardrailIdentifier"), guardrailVersion: paramString(r, "guardrailVersion") }),
  status: "stable",
  falsePositives: [
    "The team that owns a generative-AI application tuning its guardrail (updates) or replacing it.",
    "Moving invocation logging to another destination (delete, then put).",
  ],
  runbook: {
    triage: [
      "Ask the owners of the Bedrock application or account whether the change was planned.",
      "For deleted logging: is there a PutModelInvocationLoggingConfiguration right after (a move), or nothing (a gap)?",
      "Look at InvokeModel / Converse calls of the same principal and of new principals since the change.",
    ],
    contain: [
      "Restore model invocation logging to the log-archive bucket or log group; restore the guardrail from its last version.",
      "Restrict bedrock:DeleteGuardrail and bedrock:DeleteModelInvocationLoggingConfiguration with an SCP to the platform team.",
    ],
  },
  references: {
    mitre: ["T1562.008", "T1562.001"],
    panther: ["AWS.Bedrock.DeleteModelInvocationLoggingConfiguration", "AWS.Bedrock.GuardrailUpdateDelete"],
    sigma: ["AWS Bedrock Guardrail Deleted", "AWS Bedrock Guardrail Updated"],
    urls: ["https://docs.aws.amazon.com/bedrock/latest/userguide/model-invocation-logging.html"],
  },
});
