import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { replay } from "../../functions/cli/commands/replay";
import { parseAnomalySettings } from "../../functions/core/anomaly/settings";
import { deliver, identities, ORG_ID, writeRawLogFile } from "../core/anomaly/fixture-logs";

const ACCT = "111122223333";
const layout = { type: "organization", organizationId: ORG_ID } as const;

describe("trailwatch replay with a damaged log file", () => {
  let dir: string;
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every account-hour without the damaged file, names it with the reason, and exits 2", async () => {
    // Prepare: a role reads every hour for two days, then creates a user; one file in between is cut off.
    dir = mkdtempSync(join(tmpdir(), "tw-replay-bad-"));
    const role = identities.role(ACCT, "app");
    const events = Array.from({ length: 48 }, (_, h) => ({ time: new Date(Date.parse("2026-11-18T00:10:00Z") + h * 3_600_000).toISOString().replace(".000", ""), source: "s3.amazonaws.com", name: "ListBuckets", identity: role }));
    events.push({ time: "2026-11-20T01:20:00Z", source: "iam.amazonaws.com", name: "CreateUser", identity: role, readOnly: false } as never);
    deliver(dir, layout, ACCT, events);
    const full = gzipSync(JSON.stringify({ Records: Array.from({ length: 300 }, () => ({ eventVersion: "1.09", eventName: "GetObject", eventSource: "s3.amazonaws.com", eventTime: "2026-11-20T01:05:00Z", userIdentity: role })) }));
    const bad = writeRawLogFile(dir, layout, ACCT, "us-east-1", new Date("2026-11-20T01:12:00Z"), full.subarray(0, full.length >> 1));
    const err: string[] = [];
    const stderr = jest.spyOn(process.stderr, "write").mockImplementation(((s: string) => void err.push(String(s))) as never);
    const stdout = jest.spyOn(process.stdout, "write").mockImplementation(((_s: string, cb?: () => void) => { cb?.(); return true; }) as never);

    // Act
    let run;
    try {
      run = await replay([dir], { from: "2026-11-18T00:00:00Z", learnUntil: "2026-11-20T00:00:00Z", to: "2026-11-20T03:00:00Z", format: "jsonl", settings: parseAnomalySettings({ warmUpDays: 1 }) });
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
    }

    // Assess: no window failed; the new action was still found; the file is named once with DuckDB's reason.
    expect(run.failures).toEqual([]);
    expect(run.alerts.map((a) => a.eventName)).toEqual(["CreateUser"]);
    expect(run.skippedFiles).toEqual([{ file: bad, reason: expect.stringMatching(/Malformed JSON|unexpected end/i) }]);
    expect(run.code).toBe(2);
    expect(err.join("")).toContain(`Skipped 1 damaged file(s); the windows that hold them ran without them:\n  ${bad}: `);
  });
});
