import { GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import type { RemediationResult } from "../../../core/alert/alert";
import { accountOfRecord } from "../../../core/record/schema";
import type { Finding } from "../../../core/rules/engine";
import { param } from "./record-fields";
import { partitionOfRecord, PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):\d{12}:trail\/.+$/;

/**
 * Turns a stopped trail back on: StartLogging on the trail the StopLogging event names, in the
 * trail's home region (from its ARN, else the event's region, which for a StopLogging call is the
 * home region). Acts only on StopLogging. In apply mode it asks GetTrailStatus first, so a trail that
 * is logging again (or deleted) is reported as skipped rather than touched.
 */
export class StartLoggingRemediator extends PlannedRemediator<Pick<RemediationClients, "cloudTrail">> {
  readonly id = "cloudtrail.start-logging" as const;

  plan(f: Finding): Plan {
    const r = f.record;
    if (r.eventSource !== "cloudtrail.amazonaws.com" || r.eventName !== "StopLogging") {
      return { skip: `only a StopLogging call is undone by starting logging; this is ${r.eventName}` };
    }
    const name = param(r, "name");
    if (!name) return { skip: "the StopLogging event names no trail (requestParameters.name is missing)" };
    const region = TRAIL_ARN.exec(name)?.[1] ?? r.awsRegion;
    if (!region) return { skip: `cannot tell the region of trail ${name}` };
    const arn = TRAIL_ARN.test(name) ? name : `arn:${partitionOfRecord(r)}:cloudtrail:${region}:${accountOfRecord(r)}:trail/${name}`;
    return {
      target: name,
      targetArns: [arn],
      calls: [
        { action: "cloudtrail:GetTrailStatus", region, input: { Name: name } },
        { action: "cloudtrail:StartLogging", region, input: { Name: name } },
      ],
    };
  }

  protected async execute(_f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const [status, call] = plan.calls as [PlannedCall, PlannedCall];
    const client = await this.clients.cloudTrail(call.region);
    const gone = { TrailNotFoundException: `trail ${plan.target} no longer exists; nothing to start` };
    let found: string;
    try {
      // The re-check: a trail someone turned back on (or this remediation, for an earlier copy) is left alone.
      const s = await client.send(new GetTrailStatusCommand({ Name: plan.target }));
      if (s?.IsLogging) {
        found = `trail ${plan.target} is logging`;
        return this.result("apply", "skipped", `trail ${plan.target} is already logging again; nothing to do`, { found });
      }
      found = `trail ${plan.target} is not logging${s?.StopLoggingTime instanceof Date ? ` (stopped at ${s.StopLoggingTime.toISOString()})` : ""}`;
    } catch (e) {
      return this.failure(e, status, gone);
    }
    try {
      await client.send(new StartLoggingCommand({ Name: plan.target }));
    } catch (e) {
      return this.failure(e, call, gone, { found });
    }
    const done = `started logging on trail ${plan.target} in ${call.region}`;
    return this.result("apply", "succeeded", done, { found, done });
  }
}
