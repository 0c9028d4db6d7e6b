import { createHash } from "node:crypto";
import { mkdtemp, readFile, readdir, rm, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { gunzipSync } from "node:zlib";
import { LocalLogSource } from "../../functions/adapters/local/log-source";
import { detects } from "../../functions/cli/commands/demo";
import { resolvePrincipal } from "../../functions/core/record/principal";
import { parseRecord, type UserIdentity } from "../../functions/core/record/schema";
import { catalog } from "../../functions/core/rules/catalog";
import { RuleEngine } from "../../functions/core/rules/engine";
import { scanLogs } from "../../functions/core/scan";
import { generateOrganization, type Manifest } from "../../scripts/generator";

/** Every file under a directory, as keys relative to it with "/" separators, sorted. */
async function listKeys(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string) => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.push(relative(dir, p).split(sep).join("/"));
    }
  };
  await walk(dir);
  return out.sort();
}

async function sha256(path: string): Promise<string> {
  return createHash("sha256").update(await readFile(path)).digest("hex");
}

async function records(path: string): Promise<Record<string, unknown>[]> {
  const doc = JSON.parse(gunzipSync(await readFile(path)).toString("utf8")) as { Records: Record<string, unknown>[] };
  return doc.Records;
}

const REGION = "[a-z]{2}(?:-[a-z]+)+-\\d";
const logKey = (prefix: string) =>
  new RegExp(`^${prefix}(\\d{12})/CloudTrail/(${REGION})/(\\d{4})/(\\d{2})/(\\d{2})/\\1_CloudTrail_\\2_\\3\\4\\5T(\\d{2})(\\d{2})Z_[A-Za-z0-9]{16}\\.json\\.gz$`);
const digestKey = (prefix: string) =>
  new RegExp(`^${prefix}(\\d{12})/CloudTrail-Digest/(${REGION})/(\\d{4})/(\\d{2})/(\\d{2})/\\1_CloudTrail-Digest_\\2_[A-Za-z0-9-]+_${REGION}_\\3\\4\\5T\\d{6}Z\\.json\\.gz$`);

const SMALL = { seed: "test-seed", days: 3, endDate: "2026-11-20", scale: 0.3 } as const;

describe("generateOrganization", () => {
  let base: string;
  let dirA: string;
  let manifest: Manifest;
  let keys: string[];

  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), "trailwatch-gen-"));
    dirA = join(base, "a");
    manifest = await generateOrganization({ outDir: dirA, ...SMALL });
    keys = await listKeys(dirA);
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  it("writes the same bytes for the same seed and options, and different bytes for another seed", async () => {
    // Prepare / Act
    const dirB = join(base, "b");
    await generateOrganization({ outDir: dirB, ...SMALL });
    const dirC = join(base, "c");
    await generateOrganization({ outDir: dirC, ...SMALL, seed: "another-seed" });
    // Assess
    const keysB = await listKeys(dirB);
    expect(keysB).toEqual(keys);
    for (const k of keys) expect(await sha256(join(dirB, k))).toBe(await sha256(join(dirA, k)));
    const keysC = await listKeys(dirC);
    expect(keysC).not.toEqual(keys);
    const mc = JSON.parse(await readFile(join(dirC, "manifest.json"), "utf8")) as Manifest;
    expect(mc.attacks.map((a) => a.eventId)).not.toEqual(manifest.attacks.map((a) => a.eventId));
  });

  it("names every log file as CloudTrail does, in its account and region folder, delivered after its events", async () => {
    const logs = keys.filter((k) => k.includes("/CloudTrail/"));
    expect(logs.length).toBe(manifest.counts.files);
    const re = logKey("AWSLogs/");
    for (const k of logs) expect(k).toMatch(re);
    // Assess the content of a sample of files: records belong to the file's account and region.
    for (const k of logs.filter((_, i) => i % 25 === 0)) {
      const m = re.exec(k)!;
      const recs = await records(join(dirA, k));
      expect(recs.length).toBeGreaterThan(0);
      const stamp = Date.UTC(Number(m[3]), Number(m[4]) - 1, Number(m[5]), Number(m[6]), Number(m[7]));
      for (const r of recs) {
        expect(r.recipientAccountId).toBe(m[1]);
        expect(r.awsRegion).toBe(m[2]);
        expect(Date.parse(r.eventTime as string)).toBeLessThanOrEqual(stamp + 60_000);
      }
    }
    expect(manifest.accounts).toHaveLength(5);
    expect(manifest.regions).toEqual(expect.arrayContaining(["us-east-1", "eu-west-1"]));
    expect(manifest.regions.length).toBeGreaterThanOrEqual(3);
  });

  it("writes the organization-trail layout under AWSLogs/<org-id>/ when asked", async () => {
    const dirO = join(base, "org");
    const m = await generateOrganization({ outDir: dirO, ...SMALL, days: 1, layout: "organization" });
    const ks = await listKeys(dirO);
    expect(m.organizationId).toMatch(/^o-[a-z0-9]{10}$/);
    const prefix = `AWSLogs/${m.organizationId}/`;
    for (const k of ks.filter((x) => x.includes("/CloudTrail/"))) expect(k).toMatch(logKey(prefix));
    const digests = ks.filter((x) => x.includes("/CloudTrail-Digest/"));
    expect(digests.length).toBeGreaterThan(0);
    for (const k of digests) expect(k).toMatch(digestKey(prefix));
  });

  it("writes digest files that list the log files of their hour with the files' SHA-256", async () => {
    const digests = keys.filter((k) => k.includes("/CloudTrail-Digest/"));
    expect(digests).toEqual(manifest.digestFiles);
    expect(digests.length).toBe(manifest.accounts.length * manifest.regions.length * 3);
    for (const k of digests) expect(k).toMatch(digestKey("AWSLogs/"));
    let listed = 0;
    for (const k of digests.slice(0, 6)) {
      const d = JSON.parse(gunzipSync(await readFile(join(dirA, k))).toString()) as { digestS3Object: string; logFiles: { s3Object: string; hashValue: string }[] };
      expect(d.digestS3Object).toBe(k);
      for (const f of d.logFiles) {
        expect(await sha256(join(dirA, f.s3Object))).toBe(f.hashValue);
        listed++;
      }
    }
    expect(listed).toBeGreaterThan(0);
  });

  it("lists in the manifest exactly what the files hold: counts, attacks, late files, the new behaviour", async () => {
    // Prepare: read every record once.
    const all: { key: string; r: Record<string, unknown> }[] = [];
    let rawBytes = 0;
    for (const k of keys.filter((x) => x.includes("/CloudTrail/"))) {
      const text = gunzipSync(await readFile(join(dirA, k))).toString("utf8");
      rawBytes += Buffer.byteLength(text);
      for (const r of (JSON.parse(text) as { Records: Record<string, unknown>[] }).Records) all.push({ key: k, r });
    }
    // Assess counts.
    expect(all.length).toBe(manifest.counts.records);
    expect(rawBytes).toBe(manifest.counts.rawBytes);
    // Every record is a valid CloudTrail record for the core.
    for (const { r } of all) expect(parseRecord(r).ok).toBe(true);
    // Attacks: the key event is where the manifest says, as it says.
    expect(manifest.attacks.length).toBe(15);
    for (const a of manifest.attacks) {
      const hit = all.find((x) => x.r.eventID === a.eventId);
      expect(hit).toBeDefined();
      expect(hit!.key).toBe(a.file);
      expect(hit!.r).toMatchObject({ eventName: a.eventName, eventSource: a.eventSource, eventTime: a.time, recipientAccountId: a.account, awsRegion: a.region });
      expect(resolvePrincipal(hit!.r.userIdentity as UserIdentity).id).toBe(a.principal);
    }
    // Late files: named 20-45 minutes after their newest event.
    expect(manifest.lateFiles.length).toBeGreaterThanOrEqual(3);
    for (const l of manifest.lateFiles) {
      expect(keys).toContain(l.key);
      const newest = Math.max(...(await records(join(dirA, l.key))).map((r) => Date.parse(r.eventTime as string)));
      expect(new Date(newest).toISOString().replace(".000", "")).toBe(l.newestEventTime);
      expect(l.delayMinutes).toBeGreaterThanOrEqual(19);
    }
    // New behaviour: never before its first time, then present.
    const nb = manifest.newBehaviour!;
    const of = all.filter((x) => resolvePrincipal(x.r.userIdentity as UserIdentity).id === nb.principal);
    expect(of.length).toBeGreaterThan(0);
    const first = Date.parse(nb.firstNewActionTime);
    const before = of.filter((x) => Date.parse(x.r.eventTime as string) < first);
    expect(before.length).toBeGreaterThan(0); // it had a routine before
    for (const a of nb.newActions) {
      const calls = of.filter((x) => x.r.eventSource === a.eventSource && x.r.eventName === a.eventName);
      expect(calls.length).toBeGreaterThan(0);
      expect(calls.map((x) => x.r.eventTime as string).sort()[0]).toBe(a.firstTime);
      expect(Date.parse(a.firstTime)).toBeGreaterThanOrEqual(first);
    }
  });

  it("refuses to write into a directory that already holds logs, and says why", async () => {
    await expect(generateOrganization({ outDir: dirA, ...SMALL })).rejects.toThrow(/AWSLogs already exists/);
    await expect(generateOrganization({ outDir: join(base, "x"), ...SMALL, days: 0 })).rejects.toThrow(/days must be an integer/);
    await expect(generateOrganization({ outDir: join(base, "y"), ...SMALL, endDate: "2026-02-30" })).rejects.toThrow(/not a calendar date/);
  });

  it("scales routine volume with recordsPerDay", async () => {
    const dirS = join(base, "scaled");
    await mkdir(dirS);
    const m = await generateOrganization({ outDir: dirS, seed: "scale", days: 1, endDate: "2026-11-18", recordsPerDay: 6_000, attacks: false, accounts: [{ id: "123456789012", name: "busy", kind: "production" }] });
    expect(m.attacks).toEqual([]);
    expect(m.newBehaviour).toBeNull();
    expect(m.counts.records).toBeGreaterThan(4_500);
    expect(m.counts.records).toBeLessThan(7_500);
  });

  it("hides attacks the catalog detects: every injected attack with a rule in the catalog is found by a scan", async () => {
    // Prepare
    const engine = new RuleEngine(catalog);
    // Act
    const result = await scanLogs(new LocalLogSource([join(dirA, "AWSLogs")]), engine);
    // Assess
    expect(result.fileErrors).toEqual([]);
    expect(result.stats.invalidRecords).toBe(0);
    expect(result.stats.filesSkipped).toBe(manifest.counts.digestFiles);
    const ids = new Set(catalog.map((r) => r.id));
    const covered = manifest.attacks.filter((a) => ids.has(a.rule));
    expect(covered.length).toBeGreaterThan(0);
    const missed = covered.filter((a) => !result.alerts.some((al) => detects(al, a))).map((a) => `${a.id} ${a.rule}`);
    expect(missed).toEqual([]);
  });
});
