import * as z from "../../zod";
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
    "A person replaced a Lambda function's code directly instead of through the pipeline: the new code runs with the function's role and sees its events.",
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
    "Developers deploying to their own sandbox; incident hotfixes; CI that deploys with an IAM user's key (list those in trustedPrincipals).",
  ],
  runbook: {
    triage: [
      "Is there a deployment, ticket or incident behind it?",
      "Compare codeSha256 with the pipeline's last deploy; download and diff the code.",
    ],
    contain: [
      "Redeploy the last good version from the pipeline; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1525", "T1648"],
    stratus: ["aws.persistence.lambda-overwrite-code"],
    panther: ["AWS.Lambda.UpdateFunctionCode"],
    urls: ["https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionCode.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedPrincipals: [] } },
});
