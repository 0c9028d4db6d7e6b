import type { Alert } from "../../../functions/core/alert/alert";
import { ALERT_CSV_COLUMNS, alertsToCsv } from "../../../functions/core/formats/alerts-csv";
import { csvCell, MAX_CELL_CHARS } from "../../../functions/core/formats/csv-cell";
import { parseCsv } from "../../../functions/core/scoring/csv";

const alert = (over: Partial<Alert> = {}): Alert => ({
  id: "a1", rule: "cloudtrail.logging-stopped", title: "CloudTrail logging stopped", severity: "critical", account: "111122223333", region: "eu-west-1",
  principal: "arn:aws:iam::111122223333:user/mallory", principalType: "IAMUser", eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging",
  eventTime: "2026-11-20T10:00:00Z", eventId: "e1", summary: "mallory stopped logging on trail org-trail", context: { trail: "org-trail" },
  remediation: null, references: { mitre: ["T1562.008"] }, occurrences: 2, lastEventTime: "2026-11-20T10:05:00Z", ...over,
});

describe("CSV for spreadsheets", () => {
  it("neutralises every cell a spreadsheet would run as a formula, and leaves numbers and plain text alone", () => {
    for (const s of ["=HYPERLINK(\"http://x\")", "+1+1", "-2+3", "@SUM(A1)", "\tTAB", "\rCR", "\uff1dcmd", "'quoted"]) expect(csvCell(s)).toMatch(/^"'/);
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("esc\u001b[31mred")).toBe("esc\\u001b[31mred");
    expect(csvCell("x".repeat(MAX_CELL_CHARS + 10)).length).toBe(MAX_CELL_CHARS);
  });

  it("writes one row per alert under stable columns, RFC 4180, and reads back exactly (after the one added apostrophe)", () => {
    // Prepare: hostile values in the fields an attacker controls through the record.
    const hostile = alert({ id: "a2", summary: '=cmd|" /C calc"!A0, then\r\na new line', principal: "-arn,with,commas", context: { note: "@x" } });
    // Act
    const text = alertsToCsv([alert(), hostile]);
    const rows = parseCsv(text, "alerts.csv");
    // Assess
    expect(text.endsWith("\r\n")).toBe(true);
    expect(rows[0]!.fields).toEqual([...ALERT_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    const byCol = (r: number) => Object.fromEntries(ALERT_CSV_COLUMNS.map((c, i) => [c, rows[r]!.fields[i]]));
    expect(byCol(1)).toEqual(expect.objectContaining({ id: "a1", severity: "critical", occurrences: "2", mitre: "T1562.008", context: '{"trail":"org-trail"}', log_integrity: "" }));
    expect(byCol(2).summary).toBe(`'=cmd|" /C calc"!A0, then\r\na new line`);
    expect(byCol(2).principal).toBe("'-arn,with,commas");
    for (const row of rows) expect(row.fields).toHaveLength(ALERT_CSV_COLUMNS.length);
  });
});
