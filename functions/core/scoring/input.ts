import * as z from "../zod";
import { ACCOUNT_ID, BUCKET_NAME, REGION } from "../aws/identifiers";
import { addDays, dayOf, dayEnd, isDay, type Day } from "./day";

/**
 * The state machine's input. A scheduled run passes `scheduled_time`
 * instead of `day_of_interest` and scores the UTC day before it, since a schedule cannot compute a
 * date; a run given both uses `day_of_interest`.
 */
export const scoringInputSchema = z.object({
  cloudtrail_bucket: z
    .string({ error: "cloudtrail_bucket is required (the S3 bucket the trail writes to)" })
    .check(z.regex(BUCKET_NAME, "cloudtrail_bucket is not a valid S3 bucket name")),
  aws_account: z
    .string({ error: "aws_account is required (a 12-digit account id, as a string)" })
    .check(z.regex(ACCOUNT_ID, "aws_account must be a 12-digit account id written as a string")),
  aws_region: z.string({ error: "aws_region is required (e.g. us-east-1)" }).check(z.regex(REGION, "aws_region is not a region name such as us-east-1")),
  day_of_interest: z.optional(
    z.string({ error: "day_of_interest must be a string YYYY/MM/DD" }).check(z.refine(isDay, "day_of_interest must be a real calendar day written YYYY/MM/DD (UTC), e.g. 2026/11/20")),
  ),
  scheduled_time: z.optional(z.iso.datetime({ offset: true, error: "scheduled_time must be an ISO 8601 timestamp" })),
});

const DAY_REQUIRED = "day_of_interest is required (YYYY/MM/DD), or scheduled_time for a scheduled run";

export type ScoringInputRaw = z.input<typeof scoringInputSchema>;

/** A validated request to score one account's region for one day. */
export interface ScoringRequest {
  bucket: string;
  account: string;
  region: string;
  day: Day;
}

/** Thrown (and, in the state machine, surfaced as error `InvalidInput`) for an input that can never succeed. */
export class InvalidScoringInputError extends Error {
  override name = "InvalidInput";
}

/** One clause per problem, naming the field and the value received. */
function describeIssues(error: z.core.$ZodError, raw: Record<string, unknown>): string {
  return error.issues
    .map((i) => {
      const field = i.path.map(String).join(".");
      const message = field && !i.message.startsWith(field) ? `${field}: ${i.message}` : i.message;
      const got = field in raw ? ` (got ${JSON.stringify(raw[field])})` : "";
      return `${message}${got}`;
    })
    .join("; ");
}

/**
 * Validates the input and resolves the day. `now` is the run's start time: a day that has not yet
 * begun cannot be scored. Throws {@link InvalidScoringInputError} with every problem in one message.
 */
export function parseScoringInput(raw: unknown, now: Date): ScoringRequest {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    throw new InvalidScoringInputError(
      'input must be a JSON object {"cloudtrail_bucket", "aws_account", "aws_region", "day_of_interest": "YYYY/MM/DD"}',
    );
  }
  const obj = raw as Record<string, unknown>;
  const res = scoringInputSchema.safeParse(raw);
  // Checked here rather than with a refinement, so it is reported together with the other problems.
  const noDay = obj.day_of_interest === undefined && obj.scheduled_time === undefined;
  if (!res.success || noDay) {
    const problems = [res.success ? "" : describeIssues(res.error, obj), noDay ? DAY_REQUIRED : ""].filter(Boolean);
    throw new InvalidScoringInputError(`invalid scoring input: ${problems.join("; ")}`);
  }
  const v = res.data;
  const day = v.day_of_interest ?? addDays(dayOf(new Date(v.scheduled_time!)), -1);
  if (dayEnd(day).getTime() - 86_400_000 > now.getTime()) {
    throw new InvalidScoringInputError(`invalid scoring input: day_of_interest ${day} has not begun yet (now is ${now.toISOString()})`);
  }
  return { bucket: v.cloudtrail_bucket, account: v.aws_account, region: v.aws_region, day };
}
