import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import { ACCOUNT_ID } from "./layout";
import { isScheduleExpression, schedulePeriodMinutes } from "./schedule";
import { checkPeriod, DEFAULT_OVERLAP_MINUTES } from "./window";

/** OU ids (`ou-xxxx-xxxxxxxx`) or the root (`r-xxxx`), whose accounts (nested OUs included) form a unit. */
export const OU_ID = /^(ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}|r-[0-9a-z]{4,32})$/;
export const UNIT_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;

const accountId = z.string().regex(ACCOUNT_ID, "expected a 12-digit account id");

/**
 * A business unit: which accounts (by OU, nested OUs included, or by an account tag) and when
 * (its own EventBridge schedule). The period of the schedule sets the query window's length; it
 * is derived from `rate(...)` and hourly-style crons, otherwise `periodMinutes` must be given.
 */
export const businessUnitSchema = z
  .object({
    name: z.string().regex(UNIT_NAME, "lower-case letters, digits and '-', at most 40 characters"),
    schedule: z.string().refine(isScheduleExpression, "expected an EventBridge expression: rate(1 hour) or cron(5 * * * ? *)").default("cron(5 * * * ? *)"),
    periodMinutes: z.number().int().positive().optional(),
    overlapMinutes: z.number().int().min(0).max(24 * 60).default(DEFAULT_OVERLAP_MINUTES),
    organizationalUnits: z.array(z.string().regex(OU_ID, "expected ou-xxxx-xxxxxxxx or r-xxxx")).min(1).optional(),
    tag: z.object({ key: z.string().min(1).max(128), values: z.array(z.string().max(256)).min(1) }).strict().optional(),
    excludeAccounts: z.array(accountId).default([]),
  })
  .strict()
  .superRefine((u, ctx) => {
    if (!!u.organizationalUnits === !!u.tag) ctx.addIssue({ code: "custom", message: "a unit selects accounts by exactly one of organizationalUnits or tag", path: [] });
    if (!isScheduleExpression(u.schedule)) return; // already reported on schedule
    const period = u.periodMinutes ?? schedulePeriodMinutes(u.schedule);
    if (period === undefined) ctx.addIssue({ code: "custom", message: `cannot tell how often "${u.schedule}" fires; set periodMinutes`, path: ["periodMinutes"] });
    else {
      const p = checkPeriod(period);
      if (p) ctx.addIssue({ code: "custom", message: p, path: ["periodMinutes"] });
    }
  })
  .transform((u) => ({ ...u, periodMinutes: (u.periodMinutes ?? schedulePeriodMinutes(u.schedule))! }));

export type BusinessUnit = z.output<typeof businessUnitSchema>;
export type BusinessUnitInput = z.input<typeof businessUnitSchema>;

/** Muster's runtime configuration (environment variable `MUSTER_CONFIG`, JSON). */
export const musterConfigSchema = z
  .object({
    units: z.array(businessUnitSchema).min(1),
    /** Accounts never fanned out to, in any unit. */
    excludeAccounts: z.array(accountId).default([]),
    /** Accounts that have their own discernment function; the rest go to the shared one. */
    dedicatedAccounts: z.array(accountId).default([]),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.units.forEach((u, i) => {
      if (seen.has(u.name)) ctx.addIssue({ code: "custom", message: `duplicate unit name "${u.name}"`, path: ["units", i, "name"] });
      seen.add(u.name);
    });
  });

export type MusterConfig = z.output<typeof musterConfigSchema>;
export type MusterConfigInput = z.input<typeof musterConfigSchema>;
