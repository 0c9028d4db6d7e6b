import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parseCsv } from "../../functions/core/scoring/csv";
import { ALERT_CSV_COLUMNS } from "../../functions/core/formats/alerts-csv";
import { trailRecord } from "../support/cloudtrail-bucket";
import { detectionFinding } from "../core/formats/ocsf-schema";

const BIN = join(__dirname, "../../functions/cli/bin.cjs");

describe("trailwatch scan --format ocsf|csv", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-formats-"));
    const t = new Date("2026-11-20T10:00:00Z");
    writeFileSync(join(dir, "a.json.gz"), gzipSync(JSON.stringify({ Records: [
      trailRecord("111122223333", "eu-west-1", t, "StopLogging", "cloudtrail.amazonaws.com", { requestParameters: { name: "=HYPERLINK(\"http://evil\")" } }),
      trailRecord("111122223333", "eu-west-1", t, "PutParameter", "ssm.amazonaws.com", { requestParameters: { name: "/prod/db/Password", type: "String" } }),
    ] })));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (format: string) => spawnSync(process.execPath, [BIN, "scan", dir, "--format", format], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });

  it("writes one OCSF Detection Finding per line", () => {
    const r = run("ocsf");
    expect(r.status).toBe(0);
    const findings = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(findings).toHaveLength(2);
    for (const f of findings) expect(detectionFinding.safeParse(f).success).toBe(true);
  });

  it("writes a CSV with the stable header and one row per alert", () => {
    const r = run("csv");
    expect(r.status).toBe(0);
    const rows = parseCsv(r.stdout, "stdout");
    expect(rows[0]!.fields).toEqual([...ALERT_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
  });
});
