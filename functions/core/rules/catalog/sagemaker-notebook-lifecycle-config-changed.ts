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
    "A lifecycle configuration was attached to a SageMaker notebook or its scripts replaced: they run as root at every start, with the notebook's role.",
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
  falsePositives: [
    "Platform teams rolling out standard notebook setup scripts.",
  ],
  runbook: {
    triage: [
      "Read the scripts (describe-notebook-instance-lifecycle-config): do they download or send anything?",
      "What can the execution role reach?",
    ],
    contain: [
      "Detach the configuration and stop the notebook; rotate what the role could read; revoke the caller's credentials.",
    ],
  },
  references: {
    mitre: ["T1546", "T1098"],
    stratus: ["aws.execution.sagemaker-update-lifecycle-config"],
    urls: ["https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_UpdateNotebookInstanceLifecycleConfig.html"],
  },
});
