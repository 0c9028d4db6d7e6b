import type { CloudTrailRecord } from "../../record/schema";
import { defineRule, type SigmaOrigin } from "../rule";
import { accountOfRecord, actor, asList, dig, paramString, sigmaAttribution } from "../helpers";

/** The container credential endpoint, by environment variable or address. */
const ENDPOINT = /AWS_CONTAINER_CREDENTIALS_(RELATIVE|FULL)_URI|169\.254\.170\.2/i;
/** Bound on the text searched per container, so one huge definition cannot slow the scan. */
const MAX_TEXT = 20_000;

/** Containers whose command or entry point mentions the credential endpoint. */
function containers(r: CloudTrailRecord): string[] {
  const defs = r.eventName === "RegisterTaskDefinition"
    ? asList(dig(r.requestParameters, "containerDefinitions"))
    : asList(dig(r.requestParameters, "overrides", "containerOverrides"));
  const hits: string[] = [];
  for (const d of defs) {
    const text = JSON.stringify([dig(d, "command"), dig(d, "entryPoint")]).slice(0, MAX_TEXT);
    if (ENDPOINT.test(text)) hits.push(typeof dig(d, "name") === "string" ? (dig(d, "name") as string) : "(unnamed)");
  }
  return hits;
}

/** The Sigma rule(s) this rule ports; its alerts name their authors. */
const DERIVED: SigmaOrigin[] = [
  { sigma: "AWS ECS Task Definition That Queries The Credential Endpoint", author: "Darin Smith" },
];

/**
 * A task definition (or a RunTask override) whose container command reads the ECS credential
 * endpoint itself. Applications get their role credentials through the SDK and never name the
 * endpoint in their command; a command that curls it is printing or shipping the task role's keys.
 */
export default defineRule<undefined, string[]>({
  id: "ecs.task-reads-credential-endpoint",
  title: "ECS task command reads the container credential endpoint",
  severity: "medium",
  description:
    "An ECS task definition or a RunTask command override reads the container credential endpoint (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, 169.254.170.2) in its command: how a task role's keys are printed or sent out, then used elsewhere.",
  eventSources: ["ecs.amazonaws.com"],
  eventNames: ["RegisterTaskDefinition", "RunTask"],
  match: (r) => {
    const hits = containers(r);
    return hits.length ? hits : undefined;
  },
  summary: (r, { principal }, hits) =>
    r.eventName === "RegisterTaskDefinition"
      ? `${actor(principal)} registered task definition ${paramString(r, "family") ?? "(unnamed)"} whose container ${hits.join(", ")} reads the credential endpoint in account ${accountOfRecord(r)}`
      : `${actor(principal)} ran a task of ${paramString(r, "taskDefinition") ?? "(unnamed)"} with a command for container ${hits.join(", ")} that reads the credential endpoint in account ${accountOfRecord(r)}`,
  context: (r, _ctx, hits) => ({
    attribution: sigmaAttribution(DERIVED),
    family: paramString(r, "family"),
    taskDefinition: paramString(r, "taskDefinition"),
    taskRoleArn: paramString(r, "taskRoleArn") ?? paramString(r, "overrides", "taskRoleArn"),
    containers: hits,
  }),
  status: "experimental",
  falsePositives: ["Debugging images that print their own identity on start, or sidecars that proxy credentials to a legacy application."],
  runbook: {
    triage: [
      "Read the container command in the task definition: where does the output of the credential request go?",
      "Find the task role (context.taskRoleArn) and look for its credentials used from outside AWS or from unknown addresses.",
      "Check who registered the definition and whether it came from your deployment pipeline.",
    ],
    contain: [
      "Stop the tasks, deregister the task definition, and revoke the task role's sessions (deny on aws:TokenIssueTime).",
      "Limit ecs:RegisterTaskDefinition and iam:PassRole for task roles to the deployment pipeline.",
    ],
  },
  references: {
    mitre: ["T1552.005"],
    sigma: ["AWS ECS Task Definition That Queries The Credential Endpoint"],
    derivedFrom: DERIVED,
    urls: ["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-iam-roles.html"],
  },
});
