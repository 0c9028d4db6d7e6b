import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { gzipSync } from "node:zlib";
import { decodeLogBytes } from "../../functions/adapters/log-content";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { decodeSelectedBytes } from "../../functions/adapters/selective-content";
import { readOptionsFor, recordFilter } from "../../functions/core/rules/engine-filter";
import { READ_LIMITS } from "../../functions/core/record/limits";
import { fieldMask } from "../../functions/core/record/prefilter";
import { fullRecord, viewUse } from "../../functions/core/record/record-filter";
import { isRawThresholdRule, type RawRecord } from "../../functions/core/rules/threshold-rule";
import { MemoryThresholdStore } from "../../functions/adapters/local/memory-threshold-store";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { ThresholdTracker } from "../../functions/core/rules/threshold-tracker";
import { scanLogs, type ScanResult } from "../../functions/core/scan";
import { generateOrganization } from "../../scripts/generator";

/**
 * The safety net of selective decoding: a scan that parses only the records a rule can see must give
 * exactly what a scan that parses every record gives (alerts, counts, problems), on every fixture and
 * corpus file, on every rule example packed as a CloudTrail delivery file, on damaged delivery files,
 * and on a generated organization.
 */
const FIXTURES = join(__dirname, "..", "fixtures");

async function scan(paths: string[], decoding: "selective" | "full"): Promise<ScanResult> {
  const engine = new RuleEngine(catalog);
  return scanLogs(new LocalLogSource(paths), engine, { thresholds: new ThresholdTracker(new MemoryThresholdStore(), { now: () => new Date("2026-12-01T00:00:00Z") }), read: readOptionsFor(engine, decoding, decodeSelectedBytes) });
}

async function expectSameBothWays(paths: string[]): Promise<ScanResult> {
  const full = await scan(paths, "full");
  const selective = await scan(paths, "selective");
  expect(selective).toEqual(full);
  return full;
}

/** Every object in a JSON value that looks like a CloudTrail record (rule examples nest them in cases and steps). */
function recordsIn(v: unknown, out: Record<string, unknown>[] = []): Record<string, unknown>[] {
  if (Array.isArray(v)) for (const x of v) recordsIn(x, out);
  else if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.eventSource === "string" && typeof o.eventName === "string" && typeof o.eventTime === "string") out.push(o);
    else for (const x of Object.values(o)) recordsIn(x, out);
  }
  return out;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** A compact delivery document, as CloudTrail writes them (`eventVersion` first, when the record has one). */
function deliveryFile(records: Record<string, unknown>[]): string {
  return JSON.stringify({ Records: records });
}

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tw-selective-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("selective decoding gives what full decoding gives", () => {
  it("on every fixture and corpus file of the repository (damaged ones included)", async () => {
    // Prepare / Act / Assess: the whole fixture tree, read both ways.
    const result = await expectSameBothWays([FIXTURES]);
    expect(result.stats.filesRead).toBeGreaterThan(20);
    expect(result.alerts.length).toBeGreaterThan(50);
  });

  it("on every rule example and corpus record packed as CloudTrail delivery files, where most records are never parsed", async () => {
    // Prepare: the records of every fixture file, one gzipped delivery file per fixture file.
    let packed = 0;
    for (const [k, file] of filesUnder(FIXTURES).entries()) {
      const content = await decodeLogBytes(readFileSync(file), file);
      let records = content.records;
      if (/\.json$/.test(file) && records.length === 0) {
        try {
          records = recordsIn(JSON.parse(readFileSync(file, "utf8")));
        } catch {
          records = [];
        }
      }
      if (records.length === 0) continue;
      let body: string;
      try {
        body = deliveryFile(records);
      } catch {
        continue; // nested too deep for JSON.stringify (the hostile corpus's deep record): the first test reads it
      }
      writeFileSync(join(dir, `${String(k).padStart(3, "0")}_CloudTrail_${k % 2 ? "gz" : "plain"}.json${k % 2 ? ".gz" : ""}`), k % 2 ? gzipSync(body) : body);
      packed += records.length;
    }
    expect(packed).toBeGreaterThan(1000);

    // Act / Assess: the same result both ways, and the selective path really left records unparsed.
    const result = await expectSameBothWays([dir]);
    expect(result.stats.records + result.stats.invalidRecords).toBe(packed);
    expect(result.alerts.map((a) => a.rule)).toEqual(expect.arrayContaining(["aws.many-regions-touched", "aws.access-denied-burst", "secretsmanager.secrets-read-burst", "iam.root-activity", "s3.ransom-note-uploaded"]));
    let notParsedWhole = 0;
    for (const f of readdirSync(dir)) {
      const c = await decodeLogBytes(readFileSync(join(dir, f)), f, undefined, { filter: recordFilter(new RuleEngine(catalog)), selective: decodeSelectedBytes });
      notParsedWhole += (c.unparsed ?? 0) + c.records.filter((r) => fullRecord(r) !== r).length;
    }
    expect(notParsedWhole).toBeGreaterThan(packed / 4);
  });

  it("raw observers read no field they do not declare: on every fixture record, a view of the declared fields observes what the whole record does", async () => {
    // Prepare: every record of every fixture file, in one delivery file.
    const all: Record<string, unknown>[] = [];
    for (const file of filesUnder(join(FIXTURES, "rules"))) if (file.endsWith(".json")) recordsIn(JSON.parse(readFileSync(file, "utf8")), all);
    for (const file of filesUnder(join(FIXTURES, "corpora"))) all.push(...((await decodeLogBytes(readFileSync(file), file)).records));
    // Variants where the fields the observers check make a difference (denied calls made for the caller by a service, ...).
    const variants = all.flatMap((r) => {
      const { eventID: _id, ...noId } = r;
      return [{ ...r, errorCode: "AccessDenied", userAgent: "aws-internal/3" }, { ...r, errorCode: "AccessDenied", sourceIPAddress: "ec2.amazonaws.com" }, { ...noId, requestID: "req-1" }, { ...r, errorCode: null }];
    });
    const records = [...all, ...variants];
    const declared = catalog.filter(isRawThresholdRule).filter((r) => r.rawFields);
    expect(declared.map((r) => r.id)).toEqual(expect.arrayContaining(["aws.many-regions-touched", "aws.access-denied-burst"]));
    let compared = 0;
    for (let from = 0; from < records.length; from += 400) {
      // Documents of at most 2 MiB: every record is read by the selective decoder (see decodeSelected).
      const bytes = Buffer.from(deliveryFile(records.slice(from, from + 400)));
      const whole = (await decodeLogBytes(bytes, "all.json")).records;
      for (const rule of declared) {
        // Act: the records as views holding just what the rule declares.
        const views = (await decodeLogBytes(bytes, "all.json", undefined, { filter: { use: () => viewUse(fieldMask(rule.rawFields!)) }, selective: decodeSelectedBytes })).records;
        // Assess
        expect(views).toHaveLength(whole.length);
        const settings = rule.settings.defaults;
        for (let i = 0; i < whole.length; i++) {
          if (fullRecord(views[i]!) === views[i]) continue; // not a view (an odd record, parsed whole)
          compared++;
          expect([rule.id, from + i, rule.observeRaw(views[i] as RawRecord, settings)]).toEqual([rule.id, from + i, rule.observeRaw(whole[i] as RawRecord, settings)]);
        }
      }
    }
    expect(compared).toBeGreaterThan(records.length * declared.length * 0.9);
  });

  it("views of one session's calls share one frozen identity, equal to the parsed record's; a changed identity is parsed anew", async () => {
    const identity = { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/Ops/alice", accessKeyId: "ASIAEXAMPLE", sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/Ops" }, attributes: { mfaAuthenticated: "true" } } };
    const call = (n: number, ui: unknown) => ({ eventVersion: "1.08", userIdentity: ui, eventTime: `2026-12-01T00:0${n}:00Z`, eventSource: "ec2.amazonaws.com", eventName: "DescribeInstances", awsRegion: "eu-west-1", eventID: `e${n}` });
    const other = { ...identity, accessKeyId: "ASIAOTHER" };
    const bytes = Buffer.from(deliveryFile([call(1, identity), call(2, identity), call(3, other)]));
    const views = (await decodeLogBytes(bytes, "s.json", undefined, { filter: { use: () => viewUse(fieldMask(["userIdentity", "awsRegion"])) }, selective: decodeSelectedBytes })).records;
    expect(views.map((v) => fullRecord(v) !== v)).toEqual([true, true, true]);
    expect(views[0]!.userIdentity).toBe(views[1]!.userIdentity);
    expect(views[0]!.userIdentity).toEqual(identity);
    expect(views[2]!.userIdentity).toEqual(other);
    // Shared values cannot be changed by one reader for the others.
    expect(Object.isFrozen((views[0]!.userIdentity as { sessionContext: { sessionIssuer: object } }).sessionContext.sessionIssuer)).toBe(true);
    expect(() => {
      (views[1]!.userIdentity as { type: string }).type = "Root";
    }).toThrow(TypeError);
    // The whole record behind a view is its own parse.
    expect(fullRecord(views[1]!).userIdentity).toEqual(identity);
    expect(fullRecord(views[1]!).userIdentity).not.toBe(views[1]!.userIdentity);
  });

  it("keeps no file's text alive through the engine's index: the event sources and names it keeps are copies, not slices", () => {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as () => void;
    const filter = recordFilter(new RuleEngine(catalog));
    const file = (i: number) => {
      const records = Array.from({ length: 5000 }, (_, k) => ({
        eventVersion: "1.08", userIdentity: { type: "AssumedRole", arn: `arn:aws:sts::111122223333:assumed-role/app/${k}` }, eventTime: "2026-12-01T00:00:00Z",
        eventSource: `service${i}.amazonaws.com`, eventName: `DescribeSomethingNumber${i}`, awsRegion: "eu-west-1", eventID: `e-${i}-${k}`,
      }));
      return Buffer.from(deliveryFile(records));
    };
    const memory = () => process.memoryUsage().heapUsed + process.memoryUsage().external;
    gc();
    const before = memory();
    let bytes = 0;
    // Each file brings an event source and name the index has not seen: without copies, each would keep its file's text.
    for (let i = 0; i < 24; i++) {
      const b = file(i);
      bytes += b.length;
      expect(decodeSelectedBytes(b, `f${i}.json`, READ_LIMITS, filter)).toBeDefined();
    }
    gc();
    expect(bytes).toBeGreaterThan(24 * 1_000_000);
    expect(memory() - before).toBeLessThan(8_000_000);
  });

  it("on a generated organization (routine work and attacks, two days)", async () => {
    await generateOrganization({ outDir: dir, seed: "selective", days: 2, endDate: "2026-11-20", recordsPerDay: 1500, maxRecordsPerFile: 400 });
    const result = await expectSameBothWays([dir]);
    expect(result.stats.records).toBeGreaterThan(2000);
    expect(result.alerts.length).toBeGreaterThan(0);
  });

  describe("on damaged and unusual delivery files", () => {
    const denied = (i: number) => ({
      eventVersion: "1.09", userIdentity: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/mallory", accountId: "111122223333", accessKeyId: "AKIAIOSFODNN7EXAMPLE", userName: "mallory" },
      eventTime: `2026-10-14T10:00:${String(i).padStart(2, "0")}Z`, eventSource: "ec2.amazonaws.com", eventName: `Describe${"ABCDEFGHIJKLMN"[i]}things`, awsRegion: ["eu-west-1", "us-east-1", "eu-central-1", "ap-south-1", "sa-east-1", "ca-central-1", "us-west-2"][i % 7],
      errorCode: "AccessDenied", sourceIPAddress: "198.51.100.7", userAgent: "aws-cli/2.15", eventID: `e-${i}`, recipientAccountId: "111122223333",
    });
    const routine = (i: number) => ({
      eventVersion: "1.09", userIdentity: { type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/app/i-1", accountId: "111122223333", accessKeyId: "ASIAEXAMPLE", sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/app" } } },
      eventTime: `2026-10-14T10:01:${String(i).padStart(2, "0")}Z`, eventSource: "dynamodb.amazonaws.com", eventName: "DescribeTable", awsRegion: "eu-west-1", requestParameters: { tableName: `t${i}` }, eventID: `r-${i}`, recipientAccountId: "111122223333",
    });
    const root = { ...routine(40), userIdentity: { type: "Root", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" }, eventName: "ListBuckets", eventSource: "s3.amazonaws.com" };
    const records = [...Array.from({ length: 12 }, (_, i) => denied(i)), ...Array.from({ length: 6 }, (_, i) => routine(i)), root];
    const text = deliveryFile(records);
    const at = (needle: string) => text.indexOf(needle);
    const cases: [string, string][] = [
      ["intact", text],
      ["a control character inside a string of a record no rule sees", text.replace('"tableName":"t2"', '"tableName":"t\u00012"')],
      ["a tab inside a string", text.replace('"tableName":"t3"', '"tableName":"t\t3"')],
      ["pretty-printed", JSON.stringify({ Records: records }, null, 2)],
      ["spaces between tokens", text.replace('"eventName":"DescribeTable"', '"eventName" : "DescribeTable"')],
      ["a string that lost its closing quote", text.replace('"tableName":"t4"', '"tableName":"t4')],
      ["cut off in the middle", text.slice(0, Math.floor(text.length * 0.6))],
      ["junk after the document", `${text}<html>`],
      ["a second document", `${text}${text}`],
      ["an invalid escape", text.replace('"tableName":"t1"', '"tableName":"t\\x1"')],
      ["escaped characters in the event name and source", text.replace('"eventSource":"s3.amazonaws.com","eventName":"ListBuckets"', '"eventSource":"s3.amazon\\u0061ws.com","eventName":"List\\u0042uckets"')],
      ["an escaped key that names the event", text.replace('"eventName":"DescribeTable"', '"event\\u004eame":"DescribeTable"')],
      ["a duplicate eventName key (the last one counts)", text.replace('"eventName":"DescribeTable"', '"eventName":"ConsoleLogin","eventName":"DescribeTable"').replace('"eventName":"ListBuckets"', '"eventName":"ListBuckets","eventName":"StopLogging"')],
      ["a duplicate userIdentity (the last one counts)", text.replace('"userIdentity":{"type":"Root"', '"userIdentity":{"type":"AssumedRole"},"userIdentity":{"type":"Root"')],
      ["a userIdentity that is not an object", text.replace('"userIdentity":{"type":"Root","arn":"arn:aws:iam::111122223333:root","accountId":"111122223333"}', '"userIdentity":["Root"]')],
      ["the event source as a number", text.replace('"eventSource":"dynamodb.amazonaws.com"', '"eventSource":7')],
      ["a record without eventTime", text.replace('"eventTime":"2026-10-14T10:01:03Z",', "")],
      ["a record that is not an object", text.replace("[{", '[7,{')],
      ["nested keys named like the indexed ones", text.replace('"tableName":"t5"', '"tableName":"t5","eventSource":"cloudtrail.amazonaws.com","eventName":"StopLogging","userIdentity":{"type":"Root"}')],
      ["an error code that is an object", text.replace('"errorCode":"AccessDenied","sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","eventID":"e-3"', '"errorCode":{"c":"AccessDenied"},"sourceIPAddress":"198.51.100.7","userAgent":"aws-cli/2.15","eventID":"e-3"')],
      ["a key that looks like an array index", text.replace('{"eventVersion":"1.09","userIdentity":{"type":"AssumedRole"', '{"0":1,"eventVersion":"1.09","userIdentity":{"type":"AssumedRole"')],
      ["non-ASCII text (UTF-8) in values the index reads and in others", text.replace('"tableName":"t0"', '"tableName":"tä€😀"').replace('"userName":"mallory"', '"userName":"mallöry"')],
      ["invalid UTF-8 bytes", text.replace('"tableName":"t0"', '"tableName":"t\udcff"')],
      ["numbers of every form and literals", text.replace('"tableName":"t1"', '"n":[0,-1,1.5,2e10,-3.25E-2,true,false,null],"tableName":"t1"')],
      ["a bad number", text.replace('"tableName":"t1"', '"n":01,"tableName":"t1"')],
      ["nesting deeper than the record limit", text.replace('"tableName":"t1"', `"deep":${"[".repeat(300)}${"]".repeat(300)},"tableName":"t1"`)],
      ["an empty Records array", '{"Records":[]}'],
      ["another member next to Records", text.replace('{"Records":[', '{"Records":[],"Records":[')],
      ["a byte order mark", `\ufeff${text}`],
      ["trailing whitespace", `${text}\n\n`],
    ];
    it.each(cases)("%s", async (_name, body) => {
      expect(at('"tableName":"t2"')).toBeGreaterThan(0);
      writeFileSync(join(dir, "111122223333_CloudTrail_eu-west-1_20261014T1000Z_a.json"), body);
      writeFileSync(join(dir, "111122223333_CloudTrail_eu-west-1_20261014T1005Z_b.json.gz"), gzipSync(body));
      await expectSameBothWays([dir]);
    });
  });
});
