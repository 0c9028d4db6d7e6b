import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { LookupEventsSource, lookupEventsLimits } from "../../../functions/adapters/aws/lookup-events-source";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { scanLogs } from "../../../functions/core/scan";
import type { Clock } from "../../../functions/core/sources/rate-limiter";
import { trailRecord } from "../../support/cloudtrail-bucket";

const cloudTrail = mockClient(CloudTrailClient);
const WINDOW = { from: new Date("2026-11-22T12:00:00Z"), to: new Date("2026-11-23T12:00:00Z") };

/** A clock that only moves when the code sleeps, recording when each request went out. */
function fakeClock(): Clock & { slept: number[] } {
  let t = Date.parse("2026-11-23T12:00:00Z");
  const slept: number[] = [];
  return { slept, now: () => t, sleep: async (ms) => void (slept.push(ms), (t += ms)) };
}

function event(name: string, source: string, minute: number, extra: Record<string, unknown> = {}) {
  const r = trailRecord("111122223333", "eu-west-1", new Date(Date.UTC(2026, 10, 23, 10, minute)), name, source, extra);
  return { EventId: r.eventID as string, EventName: name, CloudTrailEvent: JSON.stringify(r, null, 2) };
}

describe("LookupEventsSource (CloudTrail event history, aws-sdk-client-mock)", () => {
  beforeEach(() => cloudTrail.reset());

  it("pages through the window with each page's token, at most 2 requests a second, and scans the events like log records", async () => {
    // Prepare: three pages; the events carry pretty-printed JSON as CloudTrail returns it.
    const clock = fakeClock();
    const sentAt: number[] = [];
    cloudTrail.on(LookupEventsCommand).callsFake((input) => {
      sentAt.push(clock.now());
      if (!input.NextToken) return { Events: [event("StopLogging", "cloudtrail.amazonaws.com", 1, { requestParameters: { name: "org-trail" } }), event("DescribeInstances", "ec2.amazonaws.com", 2)], NextToken: "t1" };
      if (input.NextToken === "t1") return { Events: [event("PutParameter", "ssm.amazonaws.com", 3, { requestParameters: { name: "/prod/db/Password", type: "String" } })], NextToken: "t2" };
      return { Events: [{ EventId: "broken", CloudTrailEvent: "{not json" }, event("DescribeVolumes", "ec2.amazonaws.com", 4)] };
    });
    const client = new CloudTrailClient({ region: "eu-west-1" });
    // Act
    const result = await scanLogs(new LookupEventsSource(client, { region: "eu-west-1", window: WINDOW, clock }), new RuleEngine(catalog));
    // Assess: the inputs, the pacing and the outcome.
    const inputs = cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { StartTime: WINDOW.from, EndTime: WINDOW.to, MaxResults: 50 },
      { StartTime: WINDOW.from, EndTime: WINDOW.to, MaxResults: 50, NextToken: "t1" },
      { StartTime: WINDOW.from, EndTime: WINDOW.to, MaxResults: 50, NextToken: "t2" },
    ]);
    for (let i = 1; i < sentAt.length; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(500);
    expect(result.alerts.map((a) => a.rule).sort()).toEqual(["cloudtrail.logging-stopped", "ssm.plaintext-secret-parameter"]);
    expect(result.stats.records).toBe(4);
    expect(result.stats.filesRead).toBe(3);
    // One bad event is named and the good one beside it is still scanned.
    expect([...result.fileErrors, ...result.invalidRecords]).toEqual([expect.objectContaining({ source: "LookupEvents eu-west-1 page 3", reason: expect.stringMatching(/JSON/) })]);
  });

  it("waits and asks again for a page the SDK could not get past throttling, then carries on", async () => {
    // Prepare
    const clock = fakeClock();
    const throttled = Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException", $metadata: { httpStatusCode: 400 } });
    cloudTrail.on(LookupEventsCommand).rejectsOnce(throttled).resolves({ Events: [event("StopLogging", "cloudtrail.amazonaws.com", 5)] });
    // Act
    const result = await scanLogs(new LookupEventsSource(new CloudTrailClient({ region: "eu-west-1" }), { region: "eu-west-1", window: WINDOW, clock, random: () => 0.5 }), new RuleEngine(catalog));
    // Assess: one backoff (half of its 4 s ceiling with this jitter), the same request again, the page read.
    expect(clock.slept).toContain(2000);
    expect(cloudTrail.commandCalls(LookupEventsCommand).map((c) => c.args[0].input.NextToken)).toEqual([undefined, undefined]);
    expect(result.alerts).toHaveLength(1);
    expect(result.fileErrors).toEqual([]);
  });

  it("reports a refusal as an unread window instead of an empty result", async () => {
    // Prepare
    const denied = Object.assign(new Error("User is not authorized to perform: cloudtrail:LookupEvents"), { name: "AccessDeniedException", $metadata: { httpStatusCode: 400 } });
    cloudTrail.on(LookupEventsCommand).rejects(denied);
    // Act
    const result = await scanLogs(new LookupEventsSource(new CloudTrailClient({ region: "eu-west-1" }), { region: "eu-west-1", window: WINDOW, clock: fakeClock() }), new RuleEngine(catalog));
    // Assess
    expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(1);
    expect(result.fileErrors).toEqual([{ source: "LookupEvents eu-west-1 page 1", reason: expect.stringMatching(/^LookupEvents failed \(AccessDeniedException\).*were not read$/) }]);
  });

  it("says what event history cannot show, and when the window reaches past its 90 days", () => {
    const notes = lookupEventsLimits({ region: "eu-west-1", window: { from: new Date("2026-06-01T00:00:00Z"), to: new Date("2026-11-23T00:00:00Z") } }, new Date("2026-11-23T12:00:00Z"));
    expect(notes[0]).toMatch(/data events.*other accounts or other regions/);
    expect(notes[1]).toMatch(/keeps 90 days: events before 2026-08-25T12:00:00Z are not returned/);
  });
});
