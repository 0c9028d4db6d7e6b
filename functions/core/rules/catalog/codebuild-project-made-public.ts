import { defineRule } from "../rule";
import { accountOfRecord, actor, paramString, shortName } from "../helpers";

/** UpdateProjectVisibility to PUBLIC_READ: build logs and artifacts (often with secrets in them) readable by anyone. */
export default defineRule({
  id: "codebuild.project-made-public",
  title: "CodeBuild project made public",
  severity: "high",
  description:
    "A CodeBuild project's build results were made publicly readable. Build logs and artifacts often contain environment values, tokens and internal details; check what the project's builds print.",
  eventSources: ["codebuild.amazonaws.com"],
  eventNames: ["UpdateProjectVisibility"],
  match: (r) => paramString(r, "projectVisibility") === "PUBLIC_READ",
  summary: (r, { principal }) =>
    `${actor(principal)} made CodeBuild project ${shortName(paramString(r, "projectArn")) ?? "(unknown)"} in account ${accountOfRecord(r)} publicly readable`,
  context: (r) => ({ project: paramString(r, "projectArn"), resourceAccessRole: paramString(r, "resourceAccessRole") }),
  status: "stable",
  falsePositives: [
    "Open-source projects that publish their build status on purpose.",
  ],
  runbook: {
    triage: [
      "What do the project's builds print and produce (environment variables, tokens, internal hostnames)?",
      "Who changed the visibility and is the project meant to be public?",
    ],
    contain: [
      "Set the project back to PRIVATE (`aws codebuild update-project-visibility --project-visibility PRIVATE`) and rotate any secret its public logs showed.",
    ],
  },
  references: { mitre: ["T1530"], panther: ["AWS.CloudTrail.CodebuildProjectMadePublic"], urls: ["https://docs.aws.amazon.com/codebuild/latest/userguide/public-builds.html"] },
});
