import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import { ACCOUNT_ID } from "./layout";
import { UNIT_NAME } from "./units";
import { checkWindow } from "./window";

const isoInstant = z.string().refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?Z$/.test(s) && !Number.isNaN(Date.parse(s)), "expected an ISO 8601 UTC time");

/**
 * The message muster publishes for each account, and discernment checks before using anything in
 * it. Only the account and the window drive the query, and both are validated (12 digits; a whole-
 * minute window at most 48 hours long).
 */
export const fanoutMessageSchema = z
  .object({
    version: z.literal(1),
    unit: z.string().regex(UNIT_NAME),
    account: z.object({ id: z.string().regex(ACCOUNT_ID), name: z.string().max(256), email: z.string().max(320) }).strict(),
    window: z.object({ from: isoInstant, to: isoInstant }).strict().superRefine((w, ctx) => {
      const p = checkWindow(w);
      if (p) ctx.addIssue({ code: "custom", message: p });
    }),
    scheduledTime: isoInstant,
  })
  .strict();

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
