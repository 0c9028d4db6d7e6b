import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, firstMatchingPattern, paramString, patternListSchema, responseString } from "../helpers";
import { actsByHand } from "../caller";

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions on the caller's ARN (the role ARN for role sessions) that may update code by hand. */
  trustedPrincipals: patternListSchema(0),
});
type Settings = z.infer<typeof settingsSchema>;

function functionOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "functionName") ?? responseString(r, "functionName");
}

/**
 * Lambda function code replaced by a person (an IAM user, Identity Center session, federated user,
 * root or a console session) rather than by a deployment pipeline (Stratus "lambda-overwrite-code").
 * Code updates by pipeline roles and through CloudFormation are routine and raise nothing.
 */
export default defineRule<Settings>({
  id: "lambda.code-updated-by-hand",
  title: "Lambda code replaced by hand",
  severity: "medium",
  status: "experimental",
  description:
    "A person uploaded new code to a Lambda function directly instead of through the deployment pipeline. Replacing a function's code runs the new code with the function's role and triggers: an attacker's way to persist and to harvest whatever the function handles.",
  eventSources: ["lambda.amazonaws.com"],
  eventNames: ["UpdateFunctionCode20150331v2", "UpdateFunctionCode20150331", "UpdateFunctionCode"],
  match: (r, { settings, principal }) => actsByHand(r) && !firstMatchingPattern(settings.trustedPrincipals, principal.id),
  summary: (r, { principal }) =>
    `${actor(principal)} replaced the code of Lambda function ${functionOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)} by hand${paramString(r, "s3Bucket") ? ` (from bucket ${paramString(r, "s3Bucket")})` : paramString(r, "imageUri") ? ` (image ${paramString(r, "imageUri")})` : ""}`,
  context: (r) => ({
    function: functionOf(r),
    codeSha256: responseString(r, "codeSha256"),
    s3Bucket: paramString(r, "s3Bucket"),
    s3Key: paramString(r, "s3Key"),
    imageUri: paramString(r, "imageUri"),
    userAgent: r.userAgent ?? undefined,
  }),
  falsePositives: [
    "Developers deploying to their own sandbox or development account from the CLI or console.",
    "Hotfixes during an incident (list break-glass roles in trustedPrincipals if they are routine).",
  ],
  runbook: {
    triage: [
      "Is there a deployment, ticket or incident that explains a manual update of this function?",
      "Compare the new codeSha256 with the one your pipeline last deployed; download the code (lambda get-function) and diff it.",
      "What can the function reach (its role's policies, triggers, secrets in its environment)?",
    ],
    contain: [
      "Redeploy the last known-good version from the pipeline (or point the alias back to a published version).",
      "Revoke the credentials that made the change if it was not expected, and restrict lambda:UpdateFunctionCode to the pipeline role.",
    ],
  },
  references: {
    mitre: ["T1525", "T1648"],
    stratus: ["aws.persistence.lambda-overwrite-code"],
    panther: ["AWS.Lambda.UpdateFunctionCode"],
  },
  settings: { schema: settingsSchema, defaults: { trustedPrincipals: [] } },
});
