import { GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import type { RemediationResult } from "../../../core/alert/alert";
import type { Finding } from "../../../core/rules/engine";
import { param } from "./record-fields";
import { PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:([a-z0-9-]+):\d{12}:trail\/.+$/;

/**
 * Turns a stopped trail back on: StartLogging on the trail the StopLogging event names, in the
 * trail's home region (from its ARN, else the event's region, which for a StopLogging call is the
 * home region). Acts only on StopLogging. In apply mode it asks GetTrailStatus first, so a trail that
 * is logging again (or deleted) is reported as skipped rather than touched.
 */
export class StartLoggingRemediator extends PlannedRemediator {
  readonly id = "cloudtrail.start-logging" as const;

  constructor(private readonly clients: Pick<RemediationClients, "cloudTrail">) {
    super();
  }

  plan(f: Finding): Plan {
    const r = f.record;
    if (r.eventSource !== "cloudtrail.amazonaws.com" || r.eventName !== "StopLogging") {
      return { skip: `only a StopLogging call is undone by starting logging; this is ${r.eventName}` };
    }
    const name = param(r, "name");
    if (!name) return { skip: "the StopLogging event names no trail (requestParameters.name is missing)" };
    const region = TRAIL_ARN.exec(name)?.[1] ?? r.awsRegion;
    if (!region) return { skip: `cannot tell the region of trail ${name}` };
    return { target: name, calls: [{ action: "cloudtrail:StartLogging", region, input: { Name: name } }] };
  }

  protected async execute(_f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const call = plan.calls[0]!;
    const client = await this.clients.cloudTrail(call.region);
    const status: PlannedCall = { action: "cloudtrail:GetTrailStatus", region: call.region, input: call.input };
    const gone = { TrailNotFoundException: `trail ${plan.target} no longer exists; nothing to start` };
    try {
      const s = await client.send(new GetTrailStatusCommand({ Name: plan.target }));
      if (s.IsLogging) return this.result("apply", "skipped", `trail ${plan.target} is already logging again; nothing to do`);
    } catch (e) {
      return this.failure(e, status, gone);
    }
    try {
      await client.send(new StartLoggingCommand({ Name: plan.target }));
    } catch (e) {
      return this.failure(e, call, gone);
    }
    return this.result("apply", "succeeded", `started logging on trail ${plan.target} in ${call.region}`);
  }
}
