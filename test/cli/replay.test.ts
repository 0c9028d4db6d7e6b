import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { replay } from "../../functions/cli/commands/replay";
import { UsageError } from "../../functions/cli/commands/scan";
import { parseAnomalySettings } from "../../functions/core/anomaly/settings";
import { actionName } from "../../functions/core/anomaly/actions";
import { generateOrganization, type Manifest } from "../../scripts/generator";
import { resolvePrincipal } from "../../functions/core/record/principal";
import { hourlyWindows } from "../../functions/core/anomaly/window";
import { DuckDbActivityQuery, discoverAccounts } from "../../functions/adapters/local/duckdb-activity";

const settings = parseAnomalySettings({ warmUpDays: 5 });
const FROM = "2026-11-12T00:00:00Z";
const TO = "2026-11-19T00:00:00Z";

describe("trailwatch replay on a generated organization", () => {
  let dir: string;
  let manifest: Manifest;
  let out: string[];
  let writeSpy: jest.SpyInstance;
  let whole: Awaited<ReturnType<typeof replay>>;
  beforeAll(async () => {
    // Twelve days of two accounts (organization trail): the CI role starts new things on 2026-11-18,
    // some files arrive 20-45 minutes late, several across midnight.
    dir = mkdtempSync(join(tmpdir(), "tw-replay-"));
    manifest = await generateOrganization({
      outDir: dir, seed: "replay-test", days: 12, endDate: "2026-11-20", layout: "organization", scale: 0.2, digestHours: 1,
      accounts: [{ id: "388775942770", name: "prod", kind: "production" }, { id: "111122223333", name: "management", kind: "management" }],
    });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(() => {
    out = [];
    writeSpy = jest.spyOn(process.stdout, "write").mockImplementation(((s: string | Uint8Array, cb?: unknown) => {
      out.push(String(s));
      if (typeof cb === "function") (cb as () => void)();
      return true;
    }));
  });
  afterEach(() => writeSpy.mockRestore());

  it("alerts on the principal that starts doing new things, listing what was new and when", async () => {
    // Act
    const run = await replay([dir], { from: FROM, to: TO, format: "jsonl", quiet: true, settings });
    whole = run;

    // Assess
    const nb = manifest.newBehaviour!;
    const mine = run.alerts.filter((a) => a.principal === nb.principal);
    expect(run.code).toBe(0);
    expect(run.hours).toBe(168);
    expect(mine.length).toBeGreaterThanOrEqual(1);
    const listed = mine.flatMap((a) => (a.context.newActions as { action: string; firstSeen: string }[]).map((x) => [x.action, x.firstSeen]));
    for (const n of nb.newActions) expect(listed).toContainEqual([actionName(n.eventSource, n.eventName), n.firstTime]);
    expect(mine[0]!.eventTime).toBe(nb.firstNewActionTime);
    expect(["high", "critical"]).toContain(mine[0]!.severity);
    // jsonl: one alert object per line, nothing else on stdout.
    const lines = out.join("").trim().split("\n");
    expect(lines).toHaveLength(run.alerts.length);
    expect(lines.map((l) => JSON.parse(l).rule)).toEqual(run.alerts.map(() => "anomaly.new-behavior"));
    // Only the window's files are read: at most 1.5x the files of the hours themselves.
    expect(run.filesRead).toBeLessThanOrEqual(1.5 * (manifest.counts.files - manifest.counts.digestFiles) * (7 / 12));
  });

  it("sees every late-delivered file's events in a later hourly window, across midnight too", async () => {
    // Prepare: the engine replay uses, and the replay's hourly windows.
    const q = await DuckDbActivityQuery.create(await discoverAccounts([dir]));
    const windows = hourlyWindows(new Date("2026-11-09T00:00:00Z"), new Date("2026-11-21T00:00:00Z"));
    expect(manifest.lateFiles.some((f) => f.deliveredAt.slice(0, 10) !== f.newestEventTime.slice(0, 10))).toBe(true);

    for (const f of manifest.lateFiles) {
      const records = (JSON.parse(gunzipSync(readFileSync(join(dir, f.key))).toString()) as { Records: { eventTime: string; eventSource: string; eventName: string; userIdentity: never }[] }).Records;
      const newest = records.find((r) => r.eventTime === f.newestEventTime)!;
      const principal = resolvePrincipal(newest.userIdentity).id;
      // Act: the windows whose event range holds the late event.
      const holding = windows.filter((w) => w.from <= f.newestEventTime.replace("Z", ".000Z") && f.newestEventTime.replace("Z", ".000Z") < w.to);
      const seenBy: string[] = [];
      for (const w of holding) {
        const rows = await q.distinctActivity({ account: f.account, from: new Date(w.from), to: new Date(w.to) });
        if (rows.some((r) => r.principal === principal && r.eventName === newest.eventName && r.lastSeen >= f.newestEventTime)) seenBy.push(w.to);
      }
      // Assess: delivered after the first window's run, the event is read by the next (overlapping) one.
      expect({ file: f.key, seenBy: seenBy.length }).toEqual({ file: f.key, seenBy: 1 });
      expect(Date.parse(seenBy[0]!)).toBeGreaterThan(Date.parse(f.deliveredAt) - 11 * 60_000);
    }
    q.close();
  });

  it("keeps the baseline in --state: two half replays of an account alert exactly like one whole replay", async () => {
    const state = mkdtempSync(join(tmpdir(), "tw-replay-state-"));
    const a = await replay([dir], { from: FROM, to: "2026-11-16T00:00:00Z", format: "jsonl", quiet: true, settings, state, account: "388775942770" });
    const b = await replay([dir], { from: "2026-11-16T00:00:00Z", to: TO, format: "jsonl", quiet: true, settings, state, account: "388775942770" });
    rmSync(state, { recursive: true, force: true });
    expect([...a.alerts, ...b.alerts].map((x) => x.id).sort()).toEqual(whole.alerts.filter((x) => x.account === "388775942770").map((x) => x.id).sort());
    expect(a.alerts.length + b.alerts.length).toBeGreaterThan(0);
  });

  it("says what is wrong with its arguments", async () => {
    await expect(replay([dir], { from: "yesterday", to: "2026-11-21T00:00:00Z" })).rejects.toThrow(new UsageError('--from must be an ISO 8601 time such as 2026-11-20T00:00:00Z (got "yesterday")'));
    await expect(replay([dir], { from: "2026-11-21", to: "2026-11-20" })).rejects.toThrow("--to (2026-11-20) must be after --from (2026-11-21)");
    await expect(replay([dir], { from: "2026-11-20", to: "2026-11-21", account: "123" })).rejects.toThrow('--account: "123" is not a 12-digit account id');
    await expect(replay([join(dir, "AWSLogs", "nope")], { from: "2026-11-20", to: "2026-11-21" })).rejects.toThrow(/no AWSLogs\/ folder here/);
  });
});
