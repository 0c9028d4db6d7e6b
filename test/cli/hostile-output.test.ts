import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { main } from "../../functions/cli/main";
import { useColor } from "../../functions/cli/terminal";
import { safeBar } from "../../functions/cli/progress";
import { jsonWithDeep } from "../support/hostile-values";

const FIXTURES = join(__dirname, "../fixtures/hostile/output");
const BIN = join(__dirname, "../../functions/cli/bin.cjs");
const ESC = "\x1b";

/** Any character that changes the display instead of being shown (what `visible` escapes). */
const HIDDEN = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

/** Text without our own colour codes (SGR `ESC [ n(;n) m`) and line breaks: what must hold no hidden character. */
const withoutOwnCodes = (s: string) => s.replace(/\x1b\[[0-9;]*m/g, "").replace(/\n/g, "");

const rec = (name: string, src: string, extra: Record<string, unknown> = {}) => ({
  eventVersion: "1.08", eventTime: "2026-11-20T10:00:00Z", eventSource: src, eventName: name, awsRegion: "eu-west-1",
  recipientAccountId: "111122223333", eventID: `id-${name}-${Math.random()}`,
  userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/mallory", userName: "mallory" }, ...extra,
});

/** Runs `trailwatch ...args` in this process through `main`, capturing stdout and stderr. */
async function run(args: string[], opts: { stdoutTTY?: boolean; env?: Record<string, string | undefined> } = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const grab = (buf: string[]) => (chunk: unknown, enc?: unknown, cb?: unknown) => {
    buf.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const done = typeof enc === "function" ? enc : cb;
    if (typeof done === "function") done();
    return true;
  };
  const o = jest.spyOn(process.stdout, "write").mockImplementation(grab(out));
  const e = jest.spyOn(process.stderr, "write").mockImplementation(grab(err));
  const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
  Object.defineProperty(process.stdout, "isTTY", { value: opts.stdoutTTY === true, configurable: true });
  const saved = Object.fromEntries(Object.keys(opts.env ?? {}).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(opts.env ?? {})) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const code = await main(["node", "trailwatch", ...args]);
    return { code, stdout: out.join(""), stderr: err.join("") };
  } finally {
    o.mockRestore();
    e.mockRestore();
    if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

let dir: string;
let good: string;
let hostile: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "tw-hostile-out-"));
  good = join(dir, "good");
  mkdirSync(good);
  writeFileSync(join(good, "a.json.gz"), gzipSync(JSON.stringify({ Records: [rec("StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "org-trail" } })] })));
  hostile = join(dir, "hostile");
  mkdirSync(hostile);
  copyFileSync(join(FIXTURES, "hostile-records.json"), join(hostile, "hostile-records.json"));
  // A damaged file whose name rewrites the terminal title and reverses the rest of the line.
  writeFileSync(join(hostile, `broken${ESC}]0;pwned\x07\u202e.json.gz`), "not gzip at all");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("output that cannot be turned against its reader", () => {
  it("escapes control, bidi and zero-width characters of records and file names in the table and the summary, in a pipe", async () => {
    const { code, stdout, stderr } = await run(["scan", hostile]);
    expect(code).toBe(2);
    expect(withoutOwnCodes(stdout)).not.toMatch(HIDDEN);
    expect(withoutOwnCodes(stderr)).not.toMatch(HIDDEN);
    expect(stdout).not.toContain(ESC);
    expect(stdout.replace(/[\s│]+/g, "")).toContain("org-trail\\r\\x1b[32mallgood\\x1b[0m\\b\\b\\b\\x9b31m\\u202egnol\\u202c\\u2066x\\u2069zero\\u200bwidth\\u2028nextline\\x85nel");
    expect(stderr).toContain("broken\\x1b]0;pwned\\x07\\u202e.json.gz: not gzip data");
  });

  it("on a terminal, colours only the severity (its own codes) and still escapes everything else; NO_COLOR turns colour off", async () => {
    const tty = await run(["scan", hostile], { stdoutTTY: true, env: { NO_COLOR: undefined, TERM: "xterm-256color" } });
    const codes: string[] = tty.stdout.match(/\x1b[^m]*m/g) ?? [];
    // Severity colours (ours), bold headings and grey borders (cli-table3's, asked for): nothing else.
    const ours = new Set(["\x1b[1;31m", "\x1b[31m", "\x1b[33m", "\x1b[36m", "\x1b[2m", "\x1b[0m", "\x1b[1m", "\x1b[22m", "\x1b[90m", "\x1b[39m"]);
    expect(codes).toContain("\x1b[1;31m");
    expect(codes.filter((c) => !ours.has(c))).toEqual([]);
    expect(withoutOwnCodes(tty.stdout)).not.toMatch(HIDDEN);
    const noColor = await run(["scan", hostile], { stdoutTTY: true, env: { NO_COLOR: "1" } });
    expect(noColor.stdout).not.toContain(ESC);
    expect(useColor({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(useColor({ isTTY: true }, { TERM: "dumb" })).toBe(false);
    expect(useColor({ isTTY: false }, {})).toBe(false);
  });

  it("writes no colour codes into a pipe from `trailwatch rules`, and none on a terminal with NO_COLOR", async () => {
    expect((await run(["rules"], { env: { NO_COLOR: undefined } })).stdout).not.toContain(ESC);
    expect((await run(["rules"], { stdoutTTY: true, env: { NO_COLOR: "1" } })).stdout).not.toContain(ESC);
    expect((await run(["rules"], { stdoutTTY: true, env: { NO_COLOR: undefined, TERM: "xterm" } })).stdout).toContain(`${ESC}[`);
  });

  it("keeps JSON Lines one alert per line and free of raw separators, bidi and C1 characters, as the same JSON values", async () => {
    const { stdout } = await run(["scan", hostile, "--format", "jsonl"]);
    const lines = stdout.trimEnd().split("\n");
    expect(lines).toHaveLength(2);
    expect(stdout).not.toMatch(/[\u007f-\u009f\p{Cf}\u2028\u2029]/u);
    const alerts = lines.map((l) => JSON.parse(l) as { summary: string; context: Record<string, unknown> });
    expect(alerts.some((a) => a.summary.includes("\u202egnol\u202c"))).toBe(true);
  });

  it("escapes the progress line's text values", () => {
    const written: string[] = [];
    const stream = { isTTY: true, columns: 200, write: (s: string) => (written.push(s), true) } as unknown as NodeJS.WriteStream;
    const bar = safeBar({ stream, format: "{file} {value}", fps: 1000 }, 10, { file: `evil${ESC}[2J\u202e.gz` });
    bar.update(5, { file: `next\r${ESC}]0;t\x07` });
    bar.stop();
    const text = written.join("");
    expect(text).toContain("evil\\x1b[2J\\u202e.gz");
    expect(text).not.toContain(`evil${ESC}`);
  });
});

describe("the CLI fails cleanly", () => {
  it("opens --output before the scan: an unwritable path is a clear usage error at once, exit 1, no scan", async () => {
    for (const [path, why] of [
      [join(dir, "no-such-dir", "alerts.jsonl"), "no such file or directory (ENOENT)"],
      [dir, "is a directory (EISDIR)"],
      [join(good, "a.json.gz", "x"), "a part of the path is not a directory (ENOTDIR)"],
    ] as const) {
      const { code, stdout, stderr } = await run(["scan", good, "--format", "jsonl", "--output", path]);
      expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
      expect(stderr).toBe(`trailwatch: --output ${path}: cannot open for writing: ${why}\n`);
    }
  });

  it("says a full disk (ENOSPC) clearly, after the summary of what was read, and exits 1", async () => {
    const { code, stderr } = await run(["scan", good, "--format", "jsonl", "--output", "/dev/full"]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/1 file\(s\) read.*\ntrailwatch: cannot write alerts to \/dev\/full: no space left on device \(ENOSPC\)\n$/);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it("rejects --settings that is not a JSON object, and --rules that names no rule, as usage errors", async () => {
    const settings = (text: string) => {
      const p = join(dir, `settings-${Math.random()}.json`);
      writeFileSync(p, text);
      return p;
    };
    for (const [text, got] of [["[1,2]", "an array"], ["null", "null"], ["5", "a number"], ['"x"', "a string"], ["true", "a boolean"]] as const) {
      const p = settings(text);
      const r = await run(["scan", good, "--settings", p]);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `trailwatch: --settings ${p}: must be a JSON object keyed by rule id, the shape of the deployment config's "rules" section, e.g. ` +
          `{"ssm.plaintext-secret-parameter": {"settings": {"namePatterns": ["secret"]}}, "iam.user-created": {"enabled": false}} (got ${got})\n`,
      );
    }
    const fixture = await run(["scan", good, "--settings", join(FIXTURES, "settings-not-object.json")]);
    expect(fixture.code).toBe(1);
    for (const rules of [",", " , ,", ""]) {
      const r = await run(["scan", good, "--rules", rules]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^trailwatch: --rules names no rule id \(got ".*"\); give comma-separated ids/);
    }
  });

  it("names skipped files in the summary, ten per reason, and counts the rest", async () => {
    const d = join(dir, "skips");
    mkdirSync(d);
    for (let i = 0; i < 13; i++) writeFileSync(join(d, `notes-${String(i).padStart(2, "0")}.txt`), "x");
    writeFileSync(join(d, "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T100000Z.json.gz"), gzipSync("{}"));
    const { stderr } = await run(["scan", d]);
    const lines = stderr.split("\n");
    const at = lines.indexOf("Skipped 13 file(s): not a log file name (.json, .json.gz, .jsonl, .gz, .zip)");
    expect(at).toBeGreaterThanOrEqual(0);
    expect(lines.slice(at + 1, at + 12)).toEqual([...Array.from({ length: 10 }, (_, i) => `  ${join(d, `notes-${String(i).padStart(2, "0")}.txt`)}`), "  ... and 3 more"]);
    expect(stderr).toContain(`Skipped 1 file(s): CloudTrail digest file (integrity data, no events)\n  ${join(d, "111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20261120T100000Z.json.gz")}\n`);
  });

  it("prints a record with a deeply nested value as a table, JSON Lines and JSON, cut at the depth limit", async () => {
    const d = join(dir, "deep");
    mkdirSync(d);
    const rds = rec("ModifyDBInstance", "rds.amazonaws.com", { requestParameters: { dBInstanceIdentifier: "db1", publiclyAccessible: true, vPCSecurityGroupIds: "__DEEP__" } });
    writeFileSync(join(d, "deep.json"), jsonWithDeep({ Records: [rds, rec("StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "org-trail" } })] }));
    for (const format of ["table", "jsonl", "json"]) {
      const { code, stdout } = await run(["scan", d, "--format", format]);
      expect({ format, code }).toEqual({ format, code: 0 });
      expect(stdout).toMatch(/rds\.instance-made-public/);
      expect(stdout).toMatch(/cloudtrail\.logging-stopped/);
      if (format !== "table") expect(stdout).toContain("[truncated: nested deeper than 8 levels]");
    }
  });

  it("ends quietly when the reader closes the pipe (trailwatch scan ... | head -1)", () => {
    const d = join(dir, "many");
    mkdirSync(d);
    const records = Array.from({ length: 3000 }, (_, i) => rec("StopLogging", "cloudtrail.amazonaws.com", { eventID: `many-${i}`, requestParameters: { name: `trail-${i}` } }));
    writeFileSync(join(d, "many.json.gz"), gzipSync(JSON.stringify({ Records: records })));
    const r = spawnSync("bash", ["-c", `"${process.execPath}" "${BIN}" scan "${d}" --format jsonl | head -1; echo "status=\${PIPESTATUS[0]}" >&2`], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    expect(JSON.parse(r.stdout).rule).toBe("cloudtrail.logging-stopped");
    expect(r.stderr).toMatch(/status=0\n$/);
    expect(r.stderr).not.toMatch(/EPIPE|Error|\n\s+at /);
  });

  it("restores the cursor when Ctrl-C interrupts a scan while the progress bar runs, and ends as interrupted (130)", async () => {
    const d = join(dir, "slow");
    mkdirSync(d);
    // Enough work (about 300,000 records) that the scan is still running when Ctrl-C arrives.
    const one = gzipSync(JSON.stringify({ Records: Array.from({ length: 2000 }, (_, i) => rec("GetObject", "s3.amazonaws.com", { eventID: `slow-${i}` })) }));
    for (let i = 0; i < 150; i++) writeFileSync(join(d, `f${String(i).padStart(3, "0")}.json.gz`), one);
    // `script` gives the child a real terminal; Ctrl-C typed into it reaches the scan as SIGINT.
    const child = spawn("script", ["-q", "-e", "-c", `exec "${process.execPath}" "${BIN}" scan "${d}" --format jsonl --output /dev/null`, "/dev/null"], {
      env: { ...process.env, TERM: "xterm", NO_COLOR: "1" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let seen = "";
    let typed = false;
    const exited = new Promise<number | null>((resolve) => child.on("exit", (c) => resolve(c)));
    child.stdout.on("data", (b: Buffer) => {
      seen += b.toString("utf8");
      if (!typed && seen.includes(`${ESC}[?25l`)) {
        typed = true;
        child.stdin.write("\x03");
      }
    });
    const code = await exited;
    expect(typed).toBe(true);
    const afterHide = seen.slice(seen.indexOf(`${ESC}[?25l`));
    expect(afterHide).toContain(`${ESC}[?25h`);
    expect(seen).not.toMatch(/file\(s\) read/);
    expect(code).toBe(130);
  }, 60_000);
});

describe("hostile fixtures", () => {
  it("are small files, every one described in the README", () => {
    const readme = readFileSync(join(FIXTURES, "README.md"), "utf8");
    for (const f of ["hostile-records.json", "csv-formula-cells.json", "hec-maintenance-page.html", "hec-proxy-ok.json", "settings-not-object.json"]) {
      expect(readme).toContain(`\`${f}\``);
      expect(readFileSync(join(FIXTURES, f)).length).toBeLessThan(4096);
    }
  });
});
