import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, hourOf, paramString, stringList } from "../helpers";
import { actsByHand, calledByAwsService, fromConsoleSession } from "../caller";

/** Documents that run whatever commands the caller passes. */
export const DEFAULT_COMMAND_DOCUMENTS = ["AWS-RunShellScript", "AWS-RunPowerShellScript", "AWS-RunRemoteScript", "AWS-RunSaltState", "AWS-RunAnsiblePlaybook", "AWS-ApplyAnsiblePlaybooks"];

const settingsSchema = z.strictObject({
  /** SSM documents (exact names) whose SendCommand is reported: those that run arbitrary commands. */
  commandDocuments: z.array(z.string().check(z.minLength(1))).check(z.minLength(1)),
});
type Settings = z.infer<typeof settingsSchema>;

interface Access {
  kind: "command" | "session";
  instances: string[];
  /** Targets given as tags or resource groups, which reach every matching instance. */
  targetedByQuery: boolean;
}

/** The document name of a SendCommand (a name or an ARN). */
function documentOf(r: CloudTrailRecord): string | undefined {
  const d = paramString(r, "documentName");
  return d?.slice(d.lastIndexOf("/") + 1);
}

function access(r: CloudTrailRecord, s: Settings): Access | undefined {
  if (calledByAwsService(r)) return undefined;
  if (r.eventName === "StartSession") {
    // Identity Center and console sessions are how administrators are meant to reach instances: not
    // reported (a principal opening sessions for the first time is the anomaly engine's signal).
    if (actsByHand(r) && (r.userIdentity?.type === "AssumedRole" || fromConsoleSession(r))) return undefined;
    const target = paramString(r, "target");
    return { kind: "session", instances: target ? [target] : [], targetedByQuery: false };
  }
  const doc = documentOf(r);
  if (!doc || !s.commandDocuments.includes(doc)) return undefined;
  const instances = new Set(stringList(dig(r.requestParameters, "instanceIds")));
  let targetedByQuery = false;
  for (const t of asList(dig(r.requestParameters, "targets"))) {
    const key = dig(t, "key") ?? dig(t, "Key");
    const values = stringList(dig(t, "values") ?? dig(t, "Values"));
    if (key === "InstanceIds") for (const v of values) instances.add(v);
    else targetedByQuery = true;
  }
  return { kind: "command", instances: [...instances], targetedByQuery };
}

/**
 * Commands run on instances through SSM Run Command with a document that runs arbitrary shell or
 * PowerShell (SendCommand), and Session Manager sessions opened on instances (StartSession). Both give
 * the caller the instance's role credentials and data (Stratus "ssm-send-command", "ssm-start-session",
 * "ec2-steal-instance-credentials"). Administrators do both, so the rule stays low and collapses per
 * caller and hour, and sessions opened from Identity Center or the console (the way administrators are
 * meant to reach instances) are not reported; a principal doing either for the first time is the
 * anomaly engine's signal.
 */
export default defineRule<Settings, Access>({
  id: "ssm.remote-access-to-instance",
  title: "Shell command or session on an instance through SSM",
  severity: "low",
  status: "experimental",
  description:
    "Shell commands were run on instances with SSM Run Command, or a Session Manager session was opened: either gives a shell with the instance role's credentials. Each caller is reported at most once an hour, at low; commands or sessions on many instances within minutes are `ssm.send-command-many-instances` and `ssm.start-session-many-instances` (medium).",
  eventSources: ["ssm.amazonaws.com"],
  eventNames: ["SendCommand", "StartSession"],
  match: (r, { settings }) => access(r, settings),
  summary: (r, { principal }, m) =>
    m.kind === "session"
      ? `${actor(principal)} opened a Session Manager session on ${m.instances[0] ?? "an instance"} in account ${accountOfRecord(r)}`
      : `${actor(principal)} ran ${documentOf(r)} on ${m.instances.length ? `${m.instances.length} instance${m.instances.length > 1 ? "s" : ""} (${m.instances.slice(0, 5).join(", ")}${m.instances.length > 5 ? ", ..." : ""})` : ""}${m.targetedByQuery ? `${m.instances.length ? " and " : ""}instances selected by tag or resource group` : ""} in account ${accountOfRecord(r)}`,
  dedupKey: (r, { principal }, m) => `${principal.id}|${principal.session ?? ""}|${accountOfRecord(r)}|${m.kind}|${hourOf(r)}`,
  context: (r, _c, m) => ({
    kind: m.kind,
    document: m.kind === "command" ? documentOf(r) : paramString(r, "documentName"),
    instances: m.instances,
    targetedByQuery: m.targetedByQuery,
    commandId: dig(r.responseElements, "command", "commandId"),
    sessionId: paramString(r, "sessionId") ?? dig(r.responseElements, "sessionId"),
  }),
  falsePositives: [
    "Administrators using Run Command, or Session Manager with IAM user keys or non-Identity-Center roles.",
  ],
  runbook: {
    triage: [
      "Is the caller an administrator of these instances (principal, source IP, user agent)?",
      "What ran: ssm get-command-invocation, or the session log if session logging is on.",
    ],
    contain: [
      "Terminate sessions and cancel commands; revoke the caller's credentials if not expected.",
      "Rotate the reached instances' role credentials; limit ssm:SendCommand/StartSession by tag and document.",
    ],
  },
  references: {
    mitre: ["T1651", "T1021.008"],
    stratus: ["aws.execution.ssm-send-command", "aws.execution.ssm-start-session", "aws.credential-access.ec2-steal-instance-credentials"],
    panther: ["AWS.SSM.DistributedCommand"],
    sigma: ["Potential Malicious Usage of CloudTrail System Manager"],
    urls: ["https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html"],
  },
  settings: { schema: settingsSchema, defaults: { commandDocuments: DEFAULT_COMMAND_DOCUMENTS } },
});
