import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../functions/cli/main";
import { attachAdmin, describe as read, document, gzipBomb, stopLogging, zipBomb } from "../support/hostile-input";

/** The hostile-input corpus (see its README): every case through `trailwatch scan`. */
const INPUT = join(__dirname, "..", "fixtures", "hostile", "input");
const STOPPED = "cloudtrail.logging-stopped";
const ADMIN = "iam.admin-policy-attached";
/** The change audit records the same AttachUserPolicy (info). */
const IAM_AUDIT = "iam.configuration-changed";

/** Runs `trailwatch scan ... --format jsonl --no-progress` in-process; returns the exit code, the alerts' rules and stderr. */
async function scan(...paths: string[]): Promise<{ code: number; rules: string[]; stderr: string; alerts: Record<string, unknown>[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const stdout = jest.spyOn(process.stdout, "write").mockImplementation(((s: string | Uint8Array, cb?: unknown) => {
    out.push(String(s));
    if (typeof cb === "function") (cb as () => void)();
    return true;
  }));
  const stderr = jest.spyOn(process.stderr, "write").mockImplementation(((s: string | Uint8Array) => {
    err.push(String(s));
    return true;
  }));
  try {
    const code = await main(["node", "trailwatch", "scan", ...paths, "--format", "jsonl", "--no-progress"]);
    const alerts = out.join("").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code, alerts, rules: [...new Set(alerts.map((a) => String(a.rule)))].sort(), stderr: err.join("") };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

describe("trailwatch scan on the hostile-input corpus", () => {
  // [file, exit code, alert rules that must still be raised, what the summary must say]
  const cases: [string, number, string[], (string | RegExp)[]][] = [
    ["bom.json", 0, [STOPPED, ADMIN, IAM_AUDIT], ["1 file(s) read, 0 skipped, 4 record(s)"]],
    ["utf16le-bom.json", 0, [STOPPED, ADMIN, IAM_AUDIT], ["4 record(s)"]],
    ["gzip-bad-crc.json.gz", 2, [STOPPED, ADMIN, IAM_AUDIT], [/bad-crc\.json\.gz: gzip data: CRC-32 check failed .*its 2418 bytes were kept/]],
    ["gzip-bad-length.json.gz", 2, [STOPPED, ADMIN, IAM_AUDIT], ["gzip-bad-length.json.gz: gzip data: the length trailer says 3418 bytes but 2418 inflated; they were kept"]],
    ["gzip-trailing-junk.json.gz", 2, [STOPPED, ADMIN, IAM_AUDIT], ["gzip-trailing-junk.json.gz: 36 byte(s) after the gzip data are not gzip (trailing junk, ignored)", "4 record(s)"]],
    ["gzip-truncated.json.gz", 2, [STOPPED, ADMIN, IAM_AUDIT], ["gzip-truncated.json.gz Records[2]: cut off at the end of the file; not read", "gzip data is truncated"]],
    ["array-truncated.json", 2, [STOPPED, ADMIN, IAM_AUDIT], ["array-truncated.json record 2: cut off at the end of the file; not read"]],
    ["array-broken-element.json", 2, [STOPPED, ADMIN, IAM_AUDIT], [/array-broken-element\.json record 1: invalid JSON \(expected ',' or '}' but found '"' at line 1 column \d+\); not read/]],
    ["jsonl-of-documents.jsonl", 0, [STOPPED, ADMIN, IAM_AUDIT], ["4 record(s)"]],
    ["concatenated-documents.json", 0, [STOPPED, ADMIN, IAM_AUDIT], ["4 record(s)"]],
    ["concatenated-documents-lines.json", 0, [STOPPED, ADMIN, IAM_AUDIT], ["4 record(s)"]],
    ["broken-string.json", 2, [STOPPED, ADMIN, IAM_AUDIT], [/broken-string\.json Records\[2\]: invalid JSON \(expected ',' or '}' but found 'r' at line 1 column \d+\); not read/, "4 record(s)", "Skipped 1 invalid record(s)"]],
    ["junk-between-documents.json", 2, [STOPPED, ADMIN, IAM_AUDIT], ["invalid JSON (unexpected '<' at line 2 column 1): skipped to line 3 column 1; kept 2 complete record(s)"]],
    ["invalid-record-positions.json", 2, [ADMIN, IAM_AUDIT], ["invalid-record-positions.json Records[0]: eventName is missing", /invalid-record-positions\.json Records\[2\]: userIdentity: /]],
    ["trailwatch-alerts.jsonl", 0, [], ["0 file(s) read, 1 skipped", "Skipped 1 file(s): not CloudTrail: trailwatch's own output (2 alert(s) written by trailwatch scan)"]],
    ["trailwatch-alerts.json", 0, [], ["Skipped 1 file(s): not CloudTrail: trailwatch's own output (1 alert(s) written by trailwatch scan)"]],
    ["deep-record.json", 2, [STOPPED, ADMIN, IAM_AUDIT], ["deep-record.json Records[1]: nested deeper than 64 levels (the limit for one record)"]],
    ["deep-record-damaged.json", 2, [STOPPED, ADMIN, IAM_AUDIT], ["deep-record-damaged.json Records[1]: nested deeper than 64 levels (the limit for one record); not read"]],
    ["nested-3-levels.zip", 0, [STOPPED, ADMIN, IAM_AUDIT], ["2 record(s)"]],
    ["nested-4-levels.zip", 2, [ADMIN, IAM_AUDIT], ["outer.zip: inner.zip: day/log.json.gz: archives nested more than 3 deep (the limit); not opened"]],
  ];

  it.each(cases)("%s: exit %i, alerts %j still raised, and the summary names what was lost", async (file, code, rules, says) => {
    // Act
    const r = await scan(join(INPUT, file));

    // Assess
    expect(r.code).toBe(code);
    expect(r.rules).toEqual(rules);
    for (const s of says) expect(r.stderr).toMatch(s);
  });

  it("reads the whole corpus in one run: every damaged file named, every good record scanned", async () => {
    const r = await scan(INPUT);
    expect(r.code).toBe(2);
    expect(r.rules).toEqual([STOPPED, ADMIN, IAM_AUDIT]);
    const skippedCases = cases.filter(([f]) => f.startsWith("trailwatch-alerts")).length;
    expect(r.stderr).toContain(`${cases.length - skippedCases} file(s) read`);
    // Every case that exits 2 is named (a file error, or an invalid record of an otherwise readable file).
    for (const [file, code] of cases) if (code === 2) expect(r.stderr).toContain(join(INPUT, file));
    expect(r.stderr).toContain("Could not read 10 file(s) completely (their good records were still scanned)");
  });
});

describe("trailwatch scan against bombs and hostile layouts generated at run time", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-hostile-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("stops a 2 GiB gzip bomb at the limit, names the file and the limit, and still alerts on the record before it", async () => {
    const file = join(dir, "bomb.json.gz");
    writeFileSync(file, gzipBomb(2));
    const r = await scan(file);
    expect(r.code).toBe(2);
    expect(r.rules).toEqual([STOPPED]);
    expect(r.stderr).toContain(`${file}: inflates to more than 128 MiB, the limit for one file; stopped there and read the first 128 MiB`);
  });

  it("stops a zip bomb at the archive's limit and names it", async () => {
    const file = join(dir, "bomb.zip");
    writeFileSync(file, zipBomb(40, 64));
    const r = await scan(file);
    expect(r.code).toBe(2);
    expect(r.rules).toEqual([STOPPED]);
    expect(r.stderr).toContain("the archive yielded 256 MiB of text (the limit for one archive); 36 more entries were not read");
  });

  it("reports a multi-megabyte record as invalid at its position and keeps the others", async () => {
    const file = join(dir, "huge-record.json");
    writeFileSync(file, document([stopLogging(), read(1), { ...read(2), requestParameters: { blob: "A".repeat(5 * 2 ** 20) } }, attachAdmin()]));
    const r = await scan(file);
    expect(r.code).toBe(2);
    expect(r.rules).toEqual([STOPPED, ADMIN, IAM_AUDIT]);
    expect(r.stderr).toMatch(/huge-record\.json Records\[2\]: record is 5(\.0)? MiB, more than the 2 MiB limit for one record; not read/);
    expect(r.stderr).toContain("3 record(s)");
  });

  it("walks two symbolic link loops and a second link to a file once each, and exits 0", async () => {
    const root = join(dir, "loops");
    mkdirSync(join(root, "a", "b"), { recursive: true });
    writeFileSync(join(root, "a", "b", "log.json"), document([stopLogging()]));
    symlinkSync("..", join(root, "a", "b", "up"));
    symlinkSync(root, join(root, "a", "loop-to-root"));
    symlinkSync(join(root, "a", "b", "log.json"), join(root, "same.json"));
    const r = await scan(root);
    expect(r.code).toBe(0);
    expect(r.alerts).toHaveLength(1);
    expect(r.stderr).toMatch(/^trailwatch: 1 file\(s\) read, 3 skipped, 1 record\(s\)/);
    expect(r.stderr).toContain(`Skipped 1 file(s): symbolic link loop: leads back to ${join(root, "a")}, which is being read`);
    expect(r.stderr).toContain(`Skipped 1 file(s): symbolic link loop: leads back to ${root}, which is being read`);
  });

  it("counts a missing path as an error, not as a file read", async () => {
    const r = await scan(join(dir, "no-such-folder"));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^trailwatch: 0 file\(s\) read, 0 skipped, 0 record\(s\)/);
    expect(r.stderr).toContain(`${join(dir, "no-such-folder")}: no such file or directory`);
  });
});
