import * as z from "../zod";
import { ACCOUNT_ID, ROOT_OR_OU_ID } from "../aws/identifiers";
import { isScheduleExpression, schedulePeriodMinutes } from "./schedule";
import { checkPeriod, DEFAULT_OVERLAP_MINUTES } from "./window";

/** OU ids (`ou-xxxx-xxxxxxxx`) or the root (`r-xxxx`), whose accounts (nested OUs included) form a unit. */
export const UNIT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

const accountId = z.string().check(z.regex(ACCOUNT_ID, "expected a 12-digit account id"));

/**
 * A business unit: which accounts (by OU, nested OUs included, or by an account tag) and when
 * (its own EventBridge schedule). The period of the schedule sets the query window's length; it
 * is derived from `rate(...)` and hourly-style crons, otherwise `periodMinutes` must be given.
 */
export const businessUnitSchema = z.pipe(
  z
    .strictObject({
      name: z.string().check(z.regex(UNIT_NAME, "lower-case letters, digits and '-', at most 40 characters")),
      schedule: z._default(z.string().check(z.refine(isScheduleExpression, "expected an EventBridge expression: rate(1 hour) or cron(5 * * * ? *)")), "cron(5 * * * ? *)"),
      periodMinutes: z.optional(z.int().check(z.positive())),
      overlapMinutes: z._default(z.int().check(z.minimum(0), z.maximum(24 * 60)), DEFAULT_OVERLAP_MINUTES),
      organizationalUnits: z.optional(z.array(z.string().check(z.regex(ROOT_OR_OU_ID, "expected ou-xxxx-xxxxxxxx or r-xxxx"))).check(z.minLength(1))),
      tag: z.optional(z.strictObject({ key: z.string().check(z.minLength(1), z.maxLength(128)), values: z.array(z.string().check(z.maxLength(256))).check(z.minLength(1)) })),
      excludeAccounts: z._default(z.array(accountId), []),
    })
    .check(
      z.superRefine((u, ctx) => {
        if (!!u.organizationalUnits === !!u.tag) ctx.addIssue({ code: "custom", message: "a unit selects accounts by exactly one of organizationalUnits or tag", path: [] });
        if (!isScheduleExpression(u.schedule)) return; // already reported on schedule
        const period = u.periodMinutes ?? schedulePeriodMinutes(u.schedule);
        if (period === undefined) ctx.addIssue({ code: "custom", message: `cannot tell how often "${u.schedule}" fires; set periodMinutes`, path: ["periodMinutes"] });
        else {
          const p = checkPeriod(period);
          if (p) ctx.addIssue({ code: "custom", message: p, path: ["periodMinutes"] });
        }
      }),
    ),
  z.transform((u) => ({ ...u, periodMinutes: (u.periodMinutes ?? schedulePeriodMinutes(u.schedule))! })),
);

export type BusinessUnit = z.output<typeof businessUnitSchema>;
export type BusinessUnitInput = z.input<typeof businessUnitSchema>;

/** Muster's runtime configuration (environment variable `MUSTER_CONFIG`, JSON). */
export const musterConfigSchema = z
  .strictObject({
    units: z.array(businessUnitSchema).check(z.minLength(1)),
    /** Accounts never fanned out to, in any unit. */
    excludeAccounts: z._default(z.array(accountId), []),
    /** Accounts that have their own discernment function; the rest go to the shared one. */
    dedicatedAccounts: z._default(z.array(accountId), []),
  })
  .check(
    z.superRefine((c, ctx) => {
      const seen = new Set<string>();
      c.units.forEach((u, i) => {
        if (seen.has(u.name)) ctx.addIssue({ code: "custom", message: `duplicate unit name "${u.name}"`, path: ["units", i, "name"] });
        seen.add(u.name);
      });
    }),
  );

export type MusterConfig = z.output<typeof musterConfigSchema>;
export type MusterConfigInput = z.input<typeof musterConfigSchema>;
