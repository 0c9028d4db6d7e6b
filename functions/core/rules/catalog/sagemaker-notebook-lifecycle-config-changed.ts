import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString } from "../helpers";
import { calledByAwsService } from "../caller";

interface Change {
  severity: Severity;
  what: string;
}

function change(r: CloudTrailRecord): Change | undefined {
  if (calledByAwsService(r)) return undefined;
  const config = paramString(r, "lifecycleConfigName") ?? paramString(r, "notebookInstanceLifecycleConfigName");
  switch (r.eventName) {
    case "UpdateNotebookInstance":
      return config ? { severity: "medium", what: `attached lifecycle configuration ${config} to notebook instance ${paramString(r, "notebookInstanceName") ?? "(unknown)"}` } : undefined;
    case "UpdateNotebookInstanceLifecycleConfig":
      return { severity: "medium", what: `replaced the scripts of notebook lifecycle configuration ${config ?? "(unknown)"}` };
    case "CreateNotebookInstanceLifecycleConfig":
      return { severity: "low", what: `created notebook lifecycle configuration ${config ?? "(unknown)"}` };
    default:
      return undefined;
  }
}

/**
 * A SageMaker notebook instance's lifecycle configuration changed: scripts that run as root on the
 * notebook at every start, with the notebook's execution role (Stratus
 * "sagemaker-update-lifecycle-config"). Attaching a configuration or replacing its scripts is medium;
 * creating one is low (it does nothing until attached).
 */
export default defineRule<undefined, Change>({
  id: "sagemaker.notebook-lifecycle-config-changed",
  title: "SageMaker notebook lifecycle script changed",
  severity: "medium",
  status: "experimental",
  description:
    "A lifecycle configuration was attached to a SageMaker notebook instance, or its scripts were replaced. The scripts run as root at every start of the notebook with its execution role: a way to run code and take the role's credentials.",
  eventSources: ["sagemaker.amazonaws.com"],
  eventNames: ["UpdateNotebookInstance", "UpdateNotebookInstanceLifecycleConfig", "CreateNotebookInstanceLifecycleConfig"],
  match: (r) => change(r),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) => `${actor(principal)} ${m.what} in account ${accountOfRecord(r)}`,
  context: (r) => ({
    call: r.eventName,
    notebookInstance: paramString(r, "notebookInstanceName"),
    lifecycleConfig: paramString(r, "lifecycleConfigName") ?? paramString(r, "notebookInstanceLifecycleConfigName"),
  }),
  falsePositives: ["Data-science platform teams rolling out standard notebook setup scripts."],
  runbook: {
    triage: [
      "Read the scripts (sagemaker describe-notebook-instance-lifecycle-config; OnStart/OnCreate are base64): do they download or send anything?",
      "What can the notebook's execution role reach?",
    ],
    contain: [
      "Detach the configuration (update-notebook-instance --disassociate-lifecycle-config) and stop the notebook.",
      "Rotate anything the execution role could read if the script ran; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1059", "T1098"],
    stratus: ["aws.execution.sagemaker-update-lifecycle-config"],
  },
});
