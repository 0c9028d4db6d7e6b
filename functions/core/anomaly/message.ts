import * as z from "../zod";
import { ACCOUNT_ID } from "../aws/identifiers";
import { UNIT_NAME } from "./units";
import { checkWindow } from "./window";

const isoInstant = z.string().check(z.refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(s) && !Number.isNaN(Date.parse(s)), "expected an ISO 8601 UTC time"));

/**
 * The message muster publishes for each account, and discernment checks before using anything in
 * it. Only the account and the window drive the query, and both are validated (12 digits; a whole-
 * minute window at most 48 hours long).
 */
export const fanoutMessageSchema = z.strictObject({
  version: z.literal(1),
  unit: z.string().check(z.regex(UNIT_NAME)),
  account: z.strictObject({ id: z.string().check(z.regex(ACCOUNT_ID)), name: z.string().check(z.maxLength(256)), email: z.string().check(z.maxLength(320)) }),
  window: z.strictObject({ from: isoInstant, to: isoInstant }).check(
    z.superRefine((w, ctx) => {
      const p = checkWindow(w);
      if (p) ctx.addIssue({ code: "custom", message: p });
    }),
  ),
  scheduledTime: isoInstant,
});

export type FanoutMessage = z.infer<typeof fanoutMessageSchema>;

/** Parses a message body; the error names the field. */
export function parseFanoutMessage(body: string): FanoutMessage {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (e) {
    throw new Error(`fan-out message is not JSON: ${(e as Error).message}`);
  }
  const r = fanoutMessageSchema.safeParse(json);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`fan-out message is not valid: ${i.path.join(".") || "(root)"}: ${i.message}`);
  }
  return r.data;
}
