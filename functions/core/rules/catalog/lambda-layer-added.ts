import * as z from "../../zod";
import type { Severity } from "../../alert/alert";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountIdListSchema, accountOfRecord, actor, asList, dig, paramString, responseString } from "../helpers";
import { accountOfArn, actsByHand, calledByAwsService } from "../caller";

const settingsSchema = z.strictObject({
  /** Accounts (12 digits) that publish layers you use on purpose (vendors' public layers, your shared-layers account). */
  trustedLayerAccounts: accountIdListSchema(),
});
type Settings = z.infer<typeof settingsSchema>;

interface LayerChange {
  layers: string[];
  foreign: string[];
  byHand: boolean;
  /** The request did not say which settings changed, so the layers are those in effect after the call. */
  fromResponse: boolean;
  severity: Severity;
}

/** Layer ARNs the call sets: the request's `layers`; when the request was logged without detail, the layers in effect after it. */
function layersOf(r: CloudTrailRecord): { layers: string[]; fromResponse: boolean } | undefined {
  const req = r.requestParameters ?? {};
  if ("layers" in req) return { layers: asList(req.layers).map(layerArn).filter((x): x is string => !!x), fromResponse: false };
  if (Object.keys(req).some((k) => k !== "functionName")) return undefined;
  const layers = asList(dig(r.responseElements, "layers")).map(layerArn).filter((x): x is string => !!x);
  return layers.length ? { layers, fromResponse: true } : undefined;
}

function layerArn(v: unknown): string | undefined {
  if (typeof v === "string") return v;
  const arn = dig(v, "arn");
  return typeof arn === "string" ? arn : undefined;
}

function layerChange(r: CloudTrailRecord, s: Settings): LayerChange | undefined {
  if (calledByAwsService(r)) return undefined;
  const found = layersOf(r);
  if (!found || found.layers.length === 0) return undefined;
  const own = accountOfRecord(r);
  const foreign = found.layers.filter((l) => {
    const acct = accountOfArn(l);
    return acct !== undefined && acct !== own && !s.trustedLayerAccounts.includes(acct);
  });
  const byHand = actsByHand(r);
  if (byHand) return { ...found, foreign, byHand, severity: "medium" };
  if (foreign.length) return { ...found, foreign, byHand, severity: "low" };
  return undefined;
}

/**
 * Layers (code that runs inside the function, extensions included) attached to a Lambda function.
 * Medium when a person attaches them by hand (Stratus "lambda-layer-extension": an extension sees
 * every invocation's event and the function's credentials); low when a pipeline attaches a layer
 * published by an account that is neither this one nor trusted. A pipeline attaching its own layers
 * raises nothing.
 */
export default defineRule<Settings, LayerChange>({
  id: "lambda.layer-added",
  title: "Lambda layer or extension attached",
  severity: "medium",
  status: "experimental",
  description:
    "Layers were attached to a Lambda function by hand, or a pipeline attached an outside account's layer: a layer (an extension above all) runs inside the function with its role.",
  eventSources: ["lambda.amazonaws.com"],
  eventNames: ["UpdateFunctionConfiguration20150331v2", "UpdateFunctionConfiguration20150331", "UpdateFunctionConfiguration", "CreateFunction20150331", "CreateFunction"],
  match: (r, { settings }) => layerChange(r, settings),
  severityFor: (_r, _c, m) => m.severity,
  summary: (r, { principal }, m) =>
    `${actor(principal)} ${m.fromResponse ? "reconfigured" : "attached layers to"} Lambda function ${paramString(r, "functionName") ?? responseString(r, "functionName") ?? "(unknown)"} in account ${accountOfRecord(r)}${m.fromResponse ? ", which now runs" : ":"} ${m.layers.join(", ")}${m.foreign.length ? ` (from outside the account: ${m.foreign.join(", ")})` : ""}`,
  context: (r, _c, m) => ({
    function: paramString(r, "functionName") ?? responseString(r, "functionName"),
    layers: m.layers,
    foreignLayers: m.foreign,
    byHand: m.byHand,
    layersFromResponse: m.fromResponse,
  }),
  falsePositives: [
    "Monitoring or Powertools layers added by hand in development accounts; vendors' public layers (trustedLayerAccounts).",
  ],
  runbook: {
    triage: [
      "Which layer version, published by whom (lambda get-layer-version-by-arn)? Does it hold an extensions/ folder?",
      "Was the change made by the pipeline or by hand?",
    ],
    contain: [
      "Remove the layer or redeploy from the pipeline; rotate secrets the function handled; revoke the caller's credentials if not expected.",
    ],
  },
  references: {
    mitre: ["T1525", "T1546"],
    stratus: ["aws.persistence.lambda-layer-extension"],
    panther: ["AWS.Lambda.UpdateFunctionConfiguration"],
    sigma: ["AWS New Lambda Layer Attached"],
    urls: ["https://docs.aws.amazon.com/lambda/latest/api/API_UpdateFunctionConfiguration.html"],
  },
  settings: { schema: settingsSchema, defaults: { trustedLayerAccounts: [] } },
});
