/**
 * The retro-hunt handlers one by one, against s3rver (and a proxy in front of it that refuses or
 * throttles part of the bucket, which s3rver cannot): what the plan lists and records, what the
 * scan function reads and refuses to read, and what the summary says when the map's results are
 * missing or a batch's alert file is damaged.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Alert } from "../../../functions/core/alert/alert";
import type { HuntSummary } from "../../../functions/core/hunt/summary";
import { createPlanHandler } from "../../../functions/handlers/retro-hunt/plan";
import { createScanHandler } from "../../../functions/handlers/retro-hunt/scan";
import { createSummarizeHandler } from "../../../functions/handlers/retro-hunt/summarize";
import { orgTrailFiles, uploadFiles, type TrailFile } from "../../support/cloudtrail-bucket";
import { startDenyProxy, type DenyProxy } from "../../support/s3-deny-proxy";
import { s3rverClientConfig, type LocalS3 } from "../../support/s3rver";
import { startS3rverProcess } from "../../support/s3rver-process";
import { gzipLog } from "../log-analyzer/records";
import { join } from "node:path";
import { loadRulesFolder } from "../../../functions/adapters/local/rules-folder";
import { catalog } from "../../../functions/core/rules/catalog";
import { sigmaRule } from "../../../functions/core/rules/sigma/rule";
import { compileTuning } from "../../../functions/core/rules/tuning/compile";
import { tuningData, type TuningData } from "../../../functions/core/rules/tuning/data";
import { deploymentRuleSet } from "../../../functions/handlers/shared/deployment-rule-set";
import { provideDeploymentRules } from "../../../functions/handlers/shared/deployment-rules";
import { loadExamples } from "../../core/rules/examples";
import { expandSequence, type Sequence } from "../../core/rules/sequences";

const TRAIL = "hunt-trail";
const RESULTS = "hunt-results";
const ORG = "o-handlerabcd";
const A = "111111111111";
const B = "222222222222";
const ROOT = `AWSLogs/${ORG}/`;
const DENIED = `${ROOT}${B}/CloudTrail/us-east-1/`;
const ENV = { TRAIL_BUCKET: TRAIL, RESULTS_BUCKET: RESULTS, ORGANIZATION_ID: ORG };
const logger = new Logger({ logLevel: "SILENT" });
const hunt = (id: string) => ({ id, from: "2026-11-20T00:00:00.000Z", to: "2026-11-21T00:00:00.000Z" });

describe("the retro-hunt handlers", () => {
  let s3: LocalS3;
  let deny: DenyProxy;
  let throttle: DenyProxy;
  let files: TrailFile[];
  const through = (endpoint: string) => new S3Client({ ...s3rverClientConfig(endpoint), maxAttempts: 1 });
  const text = async (key: string) => (await s3.client.send(new GetObjectCommand({ Bucket: RESULTS, Key: key }))).Body!.transformToString();

  beforeAll(async () => {
    s3 = await startS3rverProcess({ buckets: [TRAIL, RESULTS], exactDelimiterListing: true });
    files = orgTrailFiles({ organizationId: ORG, accounts: [A, B], regions: ["us-east-1", "eu-central-1"], days: ["2026-11-20"] });
    await uploadFiles(s3.client, TRAIL, files);
    // A file in the bucket but outside the trail's log folder (anyone who can write to the bucket can put one).
    await uploadFiles(s3.client, TRAIL, [{ key: "elsewhere/planted.json.gz", body: files[0]!.body }]);
    deny = await startDenyProxy(s3.endpoint, `${TRAIL}/${DENIED}`.slice(TRAIL.length + 1));
    throttle = await startDenyProxy(s3.endpoint, `${ROOT}${A}/CloudTrail/eu-central-1/`, { status: 503, code: "SlowDown", message: "Please reduce your request rate." });
  });
  afterAll(async () => {
    await deny?.stop();
    await throttle?.stop();
    await s3?.stop();
  });

  describe("plan", () => {
    it("lists the rest of the bucket when a prefix is denied, and records the denied prefix with why", async () => {
      // Prepare
      const plan = createPlanHandler(ENV, { s3: through(deny.endpoint), logger });
      // Act
      const out = await plan({ input: { from: "2026-11-20", to: "2026-11-20" }, execution: { name: "plan-denied", startTime: "2026-12-01T00:00:00Z" } });
      // Assess: the manifest is a JSON array of the readable files; plan.json names the denied prefix
      const manifest = JSON.parse(await text(out.manifestKey)) as { key: string; size: number }[];
      const readable = files.filter((f) => !f.key.startsWith(DENIED));
      expect(manifest.map((m) => m.key).sort()).toEqual(readable.map((f) => f.key).sort());
      expect(manifest.every((m, i) => m.size === readable.find((f) => f.key === manifest[i]!.key)!.body.length)).toBe(true);
      expect(out).toMatchObject({ files: readable.length, hunt: { id: "plan-denied", from: "2026-11-20T00:00:00.000Z", to: "2026-11-21T00:00:00.000Z" }, publishAlerts: false });
      const { listing } = JSON.parse(await text(out.planKey)) as { listing: HuntSummary["listing"] };
      expect(listing.problems).toEqual([{ file: `s3://${TRAIL}/${DENIED}`, reason: expect.stringMatching(/^access denied \(AccessDenied 403\).*2 day folder\(s\) of the window not read/) }]);
      expect(listing.accountRegions).toBe(3);
    });

    it("writes an empty manifest (a JSON array) when nothing matches", async () => {
      // Act
      const out = await createPlanHandler(ENV, { s3: s3.makeClient(), logger })({ input: { from: "2026-11-20", to: "2026-11-20", accounts: ["333333333333"] }, execution: { name: "plan-none" } });
      // Assess
      expect(out.files).toBe(0);
      expect(JSON.parse(await text(out.manifestKey))).toEqual([]);
      expect(JSON.parse(await text(out.planKey)).listing.problems).toEqual([{ file: expect.stringContaining("333333333333"), reason: "account 333333333333 (--accounts) has no folder here" }]);
    });

    it("refuses a window longer than the deployment allows, and an execution name that cannot name files", async () => {
      // Prepare
      const plan = createPlanHandler({ ...ENV, MAX_WINDOW_DAYS: "31" }, { s3: s3.makeClient(), logger });
      // Act / Assess
      await expect(plan({ input: { from: "2026-01-01", to: "2026-03-01" }, execution: { name: "too-long" } })).rejects.toMatchObject({
        name: "InvalidInput",
        message: expect.stringContaining("the window spans 60 days, more than this deployment's maxWindowDays (31)"),
      });
      await expect(plan({ input: { from: "2026-01-01", to: "2026-01-02" }, execution: { name: "../escape" } })).rejects.toMatchObject({ name: "InvalidInput" });
    });

    it("lets a hunt name the deployment's own rules (OWN_RULE_IDS) beside the catalog's, and no other", async () => {
      // Prepare
      const input = { from: "2026-11-20", to: "2026-11-20", accounts: ["333333333333"], rules: ["iam.break-glass-role-assumed"] };
      // Act
      const own = await createPlanHandler({ ...ENV, OWN_RULE_IDS: '["iam.break-glass-role-assumed"]' }, { s3: s3.makeClient(), logger })({ input, execution: { name: "plan-own" } });
      const refused = createPlanHandler(ENV, { s3: s3.makeClient(), logger })({ input, execution: { name: "plan-own-2" } });
      // Assess
      expect(own.hunt.rules).toEqual(["iam.break-glass-role-assumed"]);
      await expect(refused).rejects.toMatchObject({ name: "InvalidInput", message: expect.stringContaining("unknown rule id(s) iam.break-glass-role-assumed") });
    });

    it("says which environment variables are wrong", async () => {
      // Act / Assess
      await expect(createPlanHandler({ RESULTS_BUCKET: "Not_A_Bucket" }, { s3: s3.makeClient(), logger })({ input: {}, execution: { name: "x" } })).rejects.toThrow(
        /retro-hunt-plan: invalid environment: TRAIL_BUCKET: is not set; expected the trail's S3 bucket.*RESULTS_BUCKET: is not an S3 bucket name/,
      );
    });
  });

  describe("scan", () => {
    const itemOf = (f: { key: string; body: Buffer }) => ({ key: f.key, size: f.body.length });

    it("scans a batch with the rule catalog, keeps only the window's events, marks each alert and writes them to the hunt's folder", async () => {
      // Prepare: A's two us-east-1 files; the window ends between their events
      const batch = files.filter((f) => f.key.startsWith(`${ROOT}${A}/CloudTrail/us-east-1/`)).map(itemOf);
      const scan = createScanHandler(ENV, { s3: s3.makeClient(), logger });
      // Act
      const out = await scan({ hunt: { ...hunt("scan-1"), to: "2026-11-20T12:00:00.000Z" }, batchId: "4b2e5f0a-0c1d", items: batch });
      // Assess
      expect(out).toMatchObject({ batchId: "4b2e5f0a-0c1d", files: 2, filesRead: 2, records: 2, alerts: 1, alertsByRule: { "cloudtrail.logging-stopped": 1 }, problems: [], alertsKey: "hunts/scan-1/alerts/4b2e5f0a-0c1d.jsonl" });
      const [alert, ...more] = (await text(out.alertsKey!)).trim().split("\n").map((l) => JSON.parse(l) as Alert);
      expect(more).toEqual([]);
      expect(alert).toMatchObject({ rule: "cloudtrail.logging-stopped", account: A, eventTime: "2026-11-20T09:01:00Z", retroHunt: { hunt: "scan-1", from: "2026-11-20T00:00:00.000Z", to: "2026-11-20T12:00:00.000Z" } });
    });

    it("counts threshold rules across the files of a batch: a burst split over two files raises its alert once", async () => {
      // Prepare: the catalog example of a denied-call burst (12 calls in 2 minutes), half in each file.
      const records = expandSequence((loadExamples("aws.access-denied-burst")!.positive as unknown as Sequence[])[0]!);
      const account = String(records[0]!.recipientAccountId);
      const key = (n: number) => `${ROOT}${account}/CloudTrail/eu-west-1/2026/10/14/${account}_CloudTrail_eu-west-1_20261014T1000Z_burst${n}.json.gz`;
      const halves = [records.slice(0, 6), records.slice(6)].map((r, n) => ({ key: key(n), body: gzipLog(r) }));
      // The trail bucket of this test is the results bucket: the plan tests list the other one.
      await uploadFiles(s3.client, RESULTS, halves);
      const scan = createScanHandler({ ...ENV, TRAIL_BUCKET: RESULTS }, { s3: s3.makeClient(), logger });
      // Act
      const out = await scan({ hunt: { id: "scan-burst", from: "2026-10-14T00:00:00.000Z", to: "2026-10-15T00:00:00.000Z" }, batchId: "b-burst", items: halves.map(itemOf) });
      // Assess
      expect(out).toMatchObject({ files: 2, filesRead: 2, records: 12, alerts: 1, alertsByRule: { "aws.access-denied-burst": 1 } });
      const [alert] = (await text(out.alertsKey!)).trim().split("\n").map((l) => JSON.parse(l) as Alert);
      expect(alert).toMatchObject({ rule: "aws.access-denied-burst", account, retroHunt: { hunt: "scan-burst" } });
    });

    it("runs the deployment's tuning and own rules when its bundle embeds them: a suppressed match is counted, not alerted", async () => {
      // Prepare: what synth embeds for a config that suppresses the trail being stopped in account A
      // and brings the example rules folder (whose ids a hunt may then name).
      const folder = loadRulesFolder(join(__dirname, "../../../examples/rules"));
      const section = { "cloudtrail.logging-stopped": { suppressions: [{ account: A, reason: "sandbox account" }] } };
      const { tuning, issues } = compileTuning([...catalog, ...folder.rules.map((r) => r.rule)], section);
      expect(issues).toEqual([]);
      provideDeploymentRules(() => deploymentRuleSet({
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        modules: folder.rules.filter((r) => r.kind === "typescript").map((r) => require(r.file) as unknown),
        sigma: folder.rules.flatMap((r) => (r.spec ? [r.spec] : [])),
        sigmaRule,
        tuning: JSON.parse(JSON.stringify(tuningData(tuning))) as TuningData,
        service: "retro-hunt-scan",
      }));
      const batch = files.filter((f) => f.key.startsWith(`${ROOT}${A}/CloudTrail/us-east-1/`)).map(itemOf);
      try {
        // Act
        const out = await createScanHandler(ENV, { s3: s3.makeClient(), logger })({ hunt: hunt("scan-tuned"), batchId: "b-tuned", items: batch });
        const asked = await createScanHandler(ENV, { s3: s3.makeClient(), logger })({ hunt: { ...hunt("scan-own"), rules: ["iam.break-glass-role-assumed"] }, batchId: "b-own", items: batch });
        // Assess
        expect(out).toMatchObject({ records: 4, alerts: 0, alertsByRule: {}, suppressedByRule: { "cloudtrail.logging-stopped": 2 } });
        expect(asked).toMatchObject({ records: 4, alerts: 0 });
        expect(asked.ruleErrors).toEqual([]);
      } finally {
        provideDeploymentRules(undefined);
      }
      // Without them the same batch alerts, as the catalog says.
      const plain = await createScanHandler(ENV, { s3: s3.makeClient(), logger })({ hunt: hunt("scan-plain"), batchId: "b-plain", items: batch });
      expect(plain).toMatchObject({ alerts: 2, alertsByRule: { "cloudtrail.logging-stopped": 2 } });
      expect(plain.suppressedByRule).toBeUndefined();
    });

    it("reads no key outside the trail's log folder and says so; runs only the rules asked for", async () => {
      // Act
      const out = await createScanHandler(ENV, { s3: s3.makeClient(), logger })({
        hunt: { ...hunt("scan-2"), rules: ["iam.root-activity"] },
        batchId: "b2",
        items: [{ key: "elsewhere/planted.json.gz", size: files[0]!.body.length }, itemOf(files[1]!)],
      });
      // Assess
      expect(out).toMatchObject({ files: 2, filesWithErrors: 1, alerts: 0, records: 2 });
      expect(out.alertsKey).toBeUndefined();
      expect(out.problems).toEqual([{ file: `s3://${TRAIL}/elsewhere/planted.json.gz`, reason: `not read: the key is outside the trail's log folder (${ROOT})` }]);
    });

    it("fails the batch with TransientError when S3 throttles past the client's retries, so the state machine tries it again", async () => {
      // Prepare: A's eu-central-1 files are throttled
      const batch = files.filter((f) => f.key.startsWith(`${ROOT}${A}/CloudTrail/`)).map(itemOf);
      // Act / Assess
      await expect(createScanHandler(ENV, { s3: through(throttle.endpoint), logger })({ hunt: hunt("scan-3"), batchId: "b3", items: batch })).rejects.toMatchObject({
        name: "TransientError",
        message: expect.stringContaining("SlowDown"),
      });
      expect(throttle.denied.length).toBeGreaterThan(0);
    });

    it("refuses an event that is not a batch, naming the field", async () => {
      // Act / Assess
      await expect(createScanHandler(ENV, { s3: s3.makeClient(), logger })({ hunt: hunt("scan-4"), batchId: "b4", items: [{ key: "k" }] })).rejects.toMatchObject({
        name: "InvalidBatch",
        message: expect.stringContaining("items.0.size"),
      });
    });

    it("refuses rule settings the catalog rejects, naming the rule", async () => {
      // Act / Assess
      await expect(createScanHandler({ ...ENV, RULE_SETTINGS: '{"no.such-rule": {}}' }, { s3: s3.makeClient(), logger })({ hunt: hunt("scan-5"), batchId: "b5", items: [] })).rejects.toThrow(
        /retro-hunt-scan: invalid environment: RULE_SETTINGS: settings given for unknown rule id "no.such-rule"/,
      );
    });
  });

  describe("summarize", () => {
    const planOf = (id: string, files = 3) => ({
      hunt: hunt(id), manifestKey: `hunts/${id}/manifest.json`, mapResultsPrefix: `hunts/${id}/map`, planKey: `hunts/${id}/plan.json`, files, bytes: 100, publishAlerts: false,
    });
    const listing = { accountRegions: 1, dayFolders: 1, files: 3, bytes: 100, skipped: { digest: 0, notLogFile: 0, empty: 0, outsideWindow: 0 }, problems: [], moreProblems: 0 };
    const put = (key: string, body: string) => s3.client.send(new PutObjectCommand({ Bucket: RESULTS, Key: key, Body: body }));

    it("still writes a failed summary when the map failed before writing any result", async () => {
      // Prepare
      await put("hunts/sum-1/plan.json", JSON.stringify({ listing, startedAt: "2026-12-01T00:00:00.000Z" }));
      // Act
      const out = await createSummarizeHandler({ RESULTS_BUCKET: RESULTS }, { s3: s3.makeClient(), logger })({
        state: { plan: planOf("sum-1"), mapError: { Error: "States.ItemReaderFailed", Cause: "Access denied reading the manifest" } },
      });
      // Assess
      expect(out).toMatchObject({ status: "failed", summary: { key: "hunts/sum-1/summary.json" } });
      const summary = JSON.parse(await text("hunts/sum-1/summary.json")) as HuntSummary;
      expect(summary).toMatchObject({ status: "failed", failure: { error: "States.ItemReaderFailed", cause: "Access denied reading the manifest" }, batches: { total: 0 }, alerts: { total: 0 } });
    });

    it("reads each batch's alerts, reporting a damaged line and a key outside the hunt, and keeps the good alerts", async () => {
      // Prepare: one map run whose two batches succeeded, one pointing outside the hunt's folder
      const alert = JSON.parse((await text((await createScanHandler(ENV, { s3: s3.makeClient(), logger })({ hunt: hunt("sum-2"), batchId: "ok", items: [{ key: files[0]!.key, size: files[0]!.body.length }] })).alertsKey!)).trim());
      await put("hunts/sum-2/alerts/ok.jsonl", `${JSON.stringify(alert)}\n{"not": "an alert"}\nnot json\n`);
      await put("hunts/sum-2/plan.json", JSON.stringify({ listing, startedAt: "2026-12-01T00:00:00.000Z" }));
      const result = (batchId: string, alertsKey: string) => ({ Name: batchId, Status: "SUCCEEDED", Input: JSON.stringify({ Items: [{ key: "k", size: 1 }] }), Output: JSON.stringify({ batchId, files: 1, filesRead: 1, records: 2, alerts: 1, alertsByRule: {}, alertsKey, problems: [] }) });
      await put("hunts/sum-2/map/run-1/SUCCEEDED_0.json", JSON.stringify([result("ok", "hunts/sum-2/alerts/ok.jsonl"), result("evil", "hunts/other-hunt/alerts/x.jsonl")]));
      await put("hunts/sum-2/map/run-1/manifest.json", JSON.stringify({ DestinationBucket: RESULTS, MapRunArn: "arn:aws:states:eu-west-1:123456789012:mapRun:tw/ScanBatches:run-1", ResultFiles: { SUCCEEDED: [{ Key: "hunts/sum-2/map/run-1/SUCCEEDED_0.json", Size: 1 }], FAILED: [], PENDING: [] } }));
      // Act
      const out = await createSummarizeHandler({ RESULTS_BUCKET: RESULTS }, { s3: s3.makeClient(), logger })({ state: { plan: planOf("sum-2", 2) } });
      // Assess
      expect(out).toMatchObject({ status: "succeeded", alerts: { count: 1 }, files: 2, records: 4 });
      const summary = JSON.parse(await text("hunts/sum-2/summary.json")) as HuntSummary;
      expect(summary.fileProblems).toEqual([
        { file: `s3://${RESULTS}/hunts/other-hunt/alerts/x.jsonl`, reason: "not read: not an alert file of this hunt" },
        { file: `s3://${RESULTS}/hunts/sum-2/alerts/ok.jsonl`, reason: expect.stringMatching(/^line 2: not an alert \(id: /) },
        { file: `s3://${RESULTS}/hunts/sum-2/alerts/ok.jsonl`, reason: expect.stringMatching(/^line 3: not JSON/) },
      ]);
      expect(JSON.parse((await text("hunts/sum-2/alerts.jsonl")).trim())).toEqual(alert);
    });

    it("writes every alert even past the merge limit: ids beyond it are written as the batches found them, and counted", async () => {
      // Prepare: two batches with one distinct alert each, a merge limit of one
      const scan = createScanHandler(ENV, { s3: s3.makeClient(), logger });
      const outs = [];
      for (const [i, f] of files.slice(0, 2).entries()) outs.push(await scan({ hunt: hunt("sum-3"), batchId: `b${i}`, items: [{ key: f.key, size: f.body.length }] }));
      await put("hunts/sum-3/plan.json", JSON.stringify({ listing, startedAt: "2026-12-01T00:00:00.000Z" }));
      await put("hunts/sum-3/map/run/SUCCEEDED_0.json", JSON.stringify(outs.map((o) => ({ Name: o.batchId, Status: "SUCCEEDED", Input: "{}", Output: JSON.stringify(o) }))));
      await put("hunts/sum-3/map/run/manifest.json", JSON.stringify({ ResultFiles: { SUCCEEDED: [{ Key: "hunts/sum-3/map/run/SUCCEEDED_0.json" }] } }));
      // Act
      const out = await createSummarizeHandler({ RESULTS_BUCKET: RESULTS, MERGE_LIMIT: "1" }, { s3: s3.makeClient(), logger })({ state: { plan: planOf("sum-3", 2) } });
      // Assess
      const lines = (await text("hunts/sum-3/alerts.jsonl")).trim().split("\n").map((l) => (JSON.parse(l) as Alert).id);
      expect(new Set(lines).size).toBe(2);
      expect(out.alerts.count).toBe(2);
      expect((JSON.parse(await text("hunts/sum-3/summary.json")) as HuntSummary).alerts.unmerged).toBe(1);
    });
  });
});
