import * as z from "../../core/zod";
import { accountOfRecord, parseRecord, type CloudTrailRecord } from "../../core/record/schema";

export const API_CALL_DETAIL_TYPE = "AWS API Call via CloudTrail";

const envelopeSchema = z.looseObject({
  id: z.optional(z.string()),
  "detail-type": z.literal(API_CALL_DETAIL_TYPE, { error: `detail-type must be "${API_CALL_DETAIL_TYPE}"` }),
  source: z.string().check(z.regex(/^aws\.[a-z0-9-]+$/, { error: "source must be an AWS service source such as aws.cloudtrail" })),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
  "replay-name": z.optional(z.unknown()),
  detail: z.unknown(),
});

/** The event was not an EventBridge CloudTrail API-call event, or its record is unusable. */
export class GuardInputError extends Error {
  override name = "GuardInputError";
}

/** An EventBridge "AWS API Call via CloudTrail" event: the envelope's id and the CloudTrail record. */
export interface GuardEvent {
  eventBridgeId?: string;
  source: string;
  record: CloudTrailRecord;
  /**
   * Why the delivery does not prove the event is AWS's own (see {@link deliveryProblem}), or
   * undefined when it does. The event is still alerted; its remediation is refused as unverified.
   */
  unverified?: string;
}

/**
 * Why an EventBridge envelope does not vouch for its CloudTrail record, or undefined when it does.
 * Only AWS puts events with an `aws.*` source on a bus (PutEvents refuses them), so a live delivery
 * is verified by the delivery itself, provided the envelope and the record agree: the source is the
 * AWS source of the record's `eventSource`, the account and region are the record's, and it is not
 * a replay from an EventBridge archive (which anyone allowed to start one can send again, any time).
 */
export function deliveryProblem(env: { source: string; account?: string | undefined; region?: string | undefined; "replay-name"?: unknown }, r: CloudTrailRecord): string | undefined {
  const service = r.eventSource.split(".")[0] ?? "";
  const show = (v: unknown) => JSON.stringify(v ?? null).slice(0, 80);
  if (env.source !== `aws.${service}`) return `the envelope's source ${show(env.source)} is not the AWS source of ${show(r.eventSource)} (aws.${service.slice(0, 40)})`;
  if (env.account !== accountOfRecord(r)) return `the envelope's account ${show(env.account)} is not the event's account ${show(accountOfRecord(r))}`;
  if (env.region !== r.awsRegion) return `the envelope's region ${show(env.region)} is not the event's region ${show(r.awsRegion)}`;
  if (env["replay-name"] !== undefined) return `the event is a replay from an EventBridge archive (${show(env["replay-name"])}), not a live delivery`;
  return undefined;
}

/** Validates the envelope and the record in `detail`; errors say which field is wrong. */
export function parseGuardEvent(event: unknown): GuardEvent {
  const env = envelopeSchema.safeParse(event);
  if (!env.success) {
    const i = env.error.issues[0];
    throw new GuardInputError(`not an EventBridge CloudTrail API-call event: ${i?.path.join(".") || "(event)"}: ${i?.message}`);
  }
  const rec = parseRecord(env.data.detail);
  if (!rec.ok) throw new GuardInputError(`event ${env.data.id ?? "(no id)"}: detail is not a usable CloudTrail record: ${rec.reason}`);
  const unverified = deliveryProblem(env.data, rec.record);
  return { eventBridgeId: env.data.id, source: env.data.source, record: rec.record, ...(unverified ? { unverified } : {}) };
}
