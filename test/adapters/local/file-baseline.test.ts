import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BASELINE_FILE, FileBaselineStore } from "../../../functions/adapters/local/file-baseline";

const ACCT = "111122223333";
const P = `arn:aws:iam::${ACCT}:role/app`;
const now = new Date("2026-11-20T11:00:00Z");
const nowS = Math.floor(now.getTime() / 1000);

describe("the local baseline file", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-fb-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps what was learned between runs (flush, then a new store reads it back)", async () => {
    const a = new FileBaselineStore(dir);
    await a.apply(ACCT, [
      { target: "account", kind: "create", record: { firstSeen: "2026-11-01T00:00:00.000Z", expiresAt: nowS + 1000 } },
      { target: "principal", kind: "create", principal: P, record: { firstSeen: "2026-11-01T00:10:00Z", lastSeen: "2026-11-20T10:00:00Z", expiresAt: nowS + 1000 } },
      { target: "item", kind: "create", principal: P, item: { action: "s3.amazonaws.com:ListBuckets", firstSeen: "2026-11-01T00:10:00Z", lastSeen: "2026-11-20T10:00:00Z", expiresAt: nowS + 1000 } },
    ], now);
    a.flush();

    const b = new FileBaselineStore(dir);
    const snap = await b.load(ACCT, [P]);
    expect(snap.account?.firstSeen).toBe("2026-11-01T00:00:00.000Z");
    expect([...snap.principals.get(P)!.items.keys()]).toEqual(["s3.amazonaws.com:ListBuckets"]);
    expect(readFileSync(join(dir, BASELINE_FILE), "utf8").trim().split("\n")).toHaveLength(3);
  });

  it("does not let a create overwrite a live row, but replaces an expired one", async () => {
    const s = new FileBaselineStore(dir);
    const item = (first: string, expiresAt: number) => ({ target: "item" as const, kind: "create" as const, principal: P, item: { action: "x:Y", firstSeen: first, lastSeen: first, expiresAt } });
    await s.apply(ACCT, [item("2026-11-01T00:00:00Z", nowS + 10)], now);
    const raced = await s.apply(ACCT, [item("2026-11-20T10:00:00Z", nowS + 99)], now);
    expect(raced).toEqual({ requests: 1, written: 0, raced: 1 });
    expect((await s.load(ACCT, [P])).principals.get(P)!.items.get("x:Y")!.firstSeen).toBe("2026-11-01T00:00:00Z");
    const later = new Date((nowS + 20) * 1000);
    expect(await s.apply(ACCT, [item("2026-11-20T10:00:00Z", nowS + 99)], later)).toEqual({ requests: 1, written: 1, raced: 0 });
  });

  it("names the file and line of a damaged state file", () => {
    writeFileSync(join(dir, BASELINE_FILE), '{"pk":"a","sk":"b","firstSeen":"x","expiresAt":1}\nnot json\n');
    expect(() => new FileBaselineStore(dir)).toThrow(/baseline\.ndjson line 2: not JSON/);
  });
});
