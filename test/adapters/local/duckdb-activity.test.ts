import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { DuckDbActivityQuery, discoverAccounts } from "../../../functions/adapters/local/duckdb-activity";
import { deliver, event, identities, ORG_ID, writeLogFile, writeRawLogFile } from "../../core/anomaly/fixture-logs";

const A = "111122223333";
const B = "444455556666";
const org = { type: "organization", organizationId: ORG_ID } as const;
const single = { type: "account" } as const;

describe("the DuckDB activity engine", () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "tw-duck-"));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it("finds accounts of both layouts and says where nothing was found", async () => {
    writeLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:05:00Z"), []);
    writeLogFile(root, single, B, "eu-west-1", new Date("2026-11-20T10:05:00Z"), []);
    expect((await discoverAccounts([root])).map((s) => [s.account, s.layout.type])).toEqual([["444455556666", "account"], ["111122223333", "organization"]]);
    expect((await discoverAccounts([join(root, "AWSLogs", ORG_ID)])).map((s) => s.account)).toEqual([A]);
    await expect(discoverAccounts([join(root, "nothing")])).rejects.toThrow(/nothing: no AWSLogs\/ folder here/);
  });

  it("groups a window's activity per principal and action, over every region, with counts, writes and time bounds", async () => {
    const role = identities.role(A, "app");
    deliver(root, org, A, [
      { time: "2026-11-20T10:01:00Z", source: "s3.amazonaws.com", name: "ListBuckets", identity: role },
      { time: "2026-11-20T10:31:00Z", source: "s3.amazonaws.com", name: "ListBuckets", identity: role, region: "ap-southeast-4" },
      { time: "2026-11-20T10:40:00Z", source: "iam.amazonaws.com", name: "CreateRole", identity: role, readOnly: false },
      { time: "2026-11-20T09:30:00Z", source: "iam.amazonaws.com", name: "DeleteRole", identity: role, readOnly: false }, // before the window
      { time: "2026-11-20T10:45:00Z", source: "kms.amazonaws.com", name: "Decrypt", identity: identities.service("s3.amazonaws.com") },
    ]);
    const q = await DuckDbActivityQuery.create(await discoverAccounts([root]));
    const rows = await q.distinctActivity({ account: A, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") });
    q.close();
    expect(rows).toEqual([
      { account: A, principal: `arn:aws:iam::${A}:role/app`, principalType: "AssumedRole", eventSource: "iam.amazonaws.com", eventName: "CreateRole", firstSeen: "2026-11-20T10:40:00Z", lastSeen: "2026-11-20T10:40:00Z", count: 1, writes: 1, region: "us-east-1", regions: 1 },
      { account: A, principal: `arn:aws:iam::${A}:role/app`, principalType: "AssumedRole", eventSource: "s3.amazonaws.com", eventName: "ListBuckets", firstSeen: "2026-11-20T10:01:00Z", lastSeen: "2026-11-20T10:31:00Z", count: 2, writes: 0, region: "ap-southeast-4", regions: 2 },
    ]);
  });

  it("never opens files delivered outside the window's range, even in the folders it reads", async () => {
    // Prepare: damaged files before and long after the window in the same day folder; a good one inside.
    const role = identities.role(A, "app");
    writeRawLogFile(root, org, A, "us-east-1", new Date("2026-11-20T09:40:00Z"), Buffer.from("not gzip"));
    writeRawLogFile(root, org, A, "us-east-1", new Date("2026-11-20T11:30:00Z"), gzipSync("{broken json"));
    writeLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:05:00Z"), [event({ time: "2026-11-20T10:01:00Z", source: "s3.amazonaws.com", name: "ListBuckets", identity: role })]);
    const q = await DuckDbActivityQuery.create(await discoverAccounts([root]));

    // Act
    const rows = await q.distinctActivity({ account: A, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") });

    // Assess: the query worked, and read 1 of the 3 files.
    expect(rows.map((r) => r.eventName)).toEqual(["ListBuckets"]);
    expect(q.lastStats).toMatchObject({ folders: 1, filesInFolders: 3, filesRead: 1 });
    q.close();
  });

  it("leaves a damaged file in the window out, names it with DuckDB's reason, and still answers for the other files", async () => {
    // Prepare: two good files and three damaged ones (broken JSON, cut-off gzip, not gzip) in the window.
    const role = identities.role(A, "app");
    writeLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:05:00Z"), [event({ time: "2026-11-20T10:01:00Z", source: "s3.amazonaws.com", name: "ListBuckets", identity: role })]);
    writeLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:50:00Z"), [event({ time: "2026-11-20T10:45:00Z", source: "iam.amazonaws.com", name: "CreateRole", identity: role, readOnly: false })]);
    const broken = writeRawLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:30:00Z"), gzipSync("{broken json"));
    const full = gzipSync(JSON.stringify({ Records: Array.from({ length: 500 }, (_, i) => event({ time: "2026-11-20T10:20:00Z", source: "ec2.amazonaws.com", name: `Describe${i}`, identity: role })) }));
    const cut = writeRawLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:25:00Z"), full.subarray(0, full.length >> 1));
    const notGzip = writeRawLogFile(root, org, A, "us-east-1", new Date("2026-11-20T10:40:00Z"), Buffer.from("not gzip"));
    const q = await DuckDbActivityQuery.create(await discoverAccounts([root]));
    const window = { account: A, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") };

    // Act
    const rows = await q.distinctActivity(window);

    // Assess: both good files answered; each damaged file is named once with the reason.
    expect(rows.map((r) => r.eventName).sort()).toEqual(["CreateRole", "ListBuckets"]);
    const skipped = Object.fromEntries(q.lastSkipped.map((s) => [s.file, s.reason]));
    expect(Object.keys(skipped).sort()).toEqual([broken, cut, notGzip].sort());
    expect(skipped[broken]).toMatch(/Malformed JSON/);
    expect(skipped[cut]).toMatch(/Malformed JSON|unexpected end/i);
    expect(skipped[notGzip]).toMatch(/not a GZIP stream/);
    expect(skipped[broken]).not.toContain(root);
    // The next (overlapping) window leaves them out from the start.
    const again = await q.distinctActivity({ ...window, from: new Date("2026-11-20T10:00:00Z"), to: new Date("2026-11-20T11:15:00Z") });
    expect(again.map((r) => r.eventName).sort()).toEqual(["CreateRole", "ListBuckets"]);
    expect(q.lastStatement!.params).toEqual(expect.arrayContaining([broken, cut, notGzip]));
    q.close();
  });

  it("reads a file delivered late after midnight in the next window, from the next day's folder", async () => {
    // Prepare: an event at 23:52 delivered 35 minutes late (00:27, in the next day's folder).
    const role = identities.role(A, "app");
    writeLogFile(root, org, A, "eu-west-1", new Date("2026-11-21T00:27:00Z"), [event({ time: "2026-11-20T23:52:00Z", source: "ec2.amazonaws.com", name: "RunInstances", identity: role, readOnly: false, region: "eu-west-1" })]);
    const q = await DuckDbActivityQuery.create(await discoverAccounts([root]));

    // Act: the run for the hour ending at midnight, then the next.
    const first = await q.distinctActivity({ account: A, from: new Date("2026-11-20T22:45:00Z"), to: new Date("2026-11-21T00:00:00Z") });
    const second = await q.distinctActivity({ account: A, from: new Date("2026-11-20T23:45:00Z"), to: new Date("2026-11-21T01:00:00Z") });
    q.close();

    // Assess: not yet (delivered after the first window's pad), then caught thanks to the overlap.
    expect(first).toEqual([]);
    expect(second.map((r) => [r.eventName, r.firstSeen])).toEqual([["RunInstances", "2026-11-20T23:52:00Z"]]);
  });
});
