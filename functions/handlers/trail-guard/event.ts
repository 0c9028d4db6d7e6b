import * as z from "../../core/zod";
import { parseRecord, type CloudTrailRecord } from "../../core/record/schema";

export const API_CALL_DETAIL_TYPE = "AWS API Call via CloudTrail";

const envelopeSchema = z.looseObject({
  id: z.optional(z.string()),
  "detail-type": z.literal(API_CALL_DETAIL_TYPE, { error: `detail-type must be "${API_CALL_DETAIL_TYPE}"` }),
  source: z.string().check(z.regex(/^aws\.[a-z0-9-]+$/, { error: "source must be an AWS service source such as aws.cloudtrail" })),
  account: z.optional(z.string()),
  region: z.optional(z.string()),
  time: z.optional(z.string()),
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
  return { eventBridgeId: env.data.id, source: env.data.source, record: rec.record };
}
