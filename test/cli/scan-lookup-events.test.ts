import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { mockClient } from "aws-sdk-client-mock";
import { runScan } from "../../functions/cli/commands/scan";
import { trailRecord } from "../support/cloudtrail-bucket";

const cloudTrail = mockClient(CloudTrailClient);

describe("trailwatch scan --lookup-events (CloudTrail mocked)", () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), "tw-lookup-"))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads the window from event history, writes the alerts like any scan and says what event history cannot see", async () => {
    // Prepare
    const now = Date.now();
    const record = trailRecord("111122223333", "eu-west-1", new Date(now - 3_600_000), "StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "org-trail" } });
    cloudTrail.on(LookupEventsCommand).resolves({ Events: [{ EventId: "e1", CloudTrailEvent: JSON.stringify(record) }] });
    const stderr: string[] = [];
    const spy = jest.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
    const out = join(dir, "alerts.jsonl");
    // Act
    let code: number;
    try {
      code = (await runScan([], { format: "jsonl", output: out, lookupEvents: true, region: "eu-west-1", since: "24h", progress: false })).code;
    } finally {
      spy.mockRestore();
    }
    // Assess
    expect(code).toBe(0);
    const input = cloudTrail.commandCalls(LookupEventsCommand)[0]!.args[0].input;
    expect(input.EndTime!.getTime() - input.StartTime!.getTime()).toBe(86_400_000);
    expect(Math.abs(input.EndTime!.getTime() - now)).toBeLessThan(60_000);
    expect(readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l).rule)).toEqual(["cloudtrail.logging-stopped"]);
    expect(stderr.join("")).toMatch(/does not see data events .*other accounts or other regions/);
  });
});
