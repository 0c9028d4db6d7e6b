import { createReadStream } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join, resolve, sep } from "node:path";
import { awsLogsRelative, parseAwsLogsKey } from "../../core/aws/cloudtrail-keys";
import { parseDigestName } from "../../core/integrity/digest";
import type { Fetched, IntegrityGroup, IntegrityStore, LogHash, StoredObject, StoreProblem } from "../../core/integrity/verify";
import { inflateDigest, MAX_DIGEST_BYTES, sha256OfGzipStream } from "../integrity-content";

interface Indexed {
  path: string;
  rel: string;
}

interface LocalGroup {
  group: IntegrityGroup;
  digests: Indexed[];
  logs: Indexed[];
}

/**
 * A local copy of a trail bucket (`aws s3 sync` of `AWSLogs/`, either layout) for integrity checks.
 * Digests and log files are matched to the keys digests name by their path from `AWSLogs/` on; the
 * bucket name cannot be checked offline. A digest's signature is read from a sidecar
 * `<digest>.metadata.json` holding the S3 object's metadata (`{"signature": ..., "signature-algorithm":
 * ...}`, what `aws s3api head-object --query Metadata` prints; the whole head-object output works too);
 * without one, the signature the next digest recorded (`previousDigestSignature`) is used, so only the
 * newest digest of a chain needs a sidecar. Symbolic links are not followed.
 */
export class LocalIntegrityStore implements IntegrityStore {
  private index?: Promise<{ groups: LocalGroup[]; byRel: Map<string, string>; problems: StoreProblem[]; root?: string }>;
  /** The index once built: `idOf` is synchronous and only called after the groups were listed. */
  private loaded?: { byRel: Map<string, string>; root?: string };

  constructor(private readonly paths: readonly string[]) {}

  private load() {
    this.index ??= this.build();
    return this.index;
  }

  private async build() {
    const groups = new Map<string, LocalGroup>();
    const byRel = new Map<string, string>();
    const problems: StoreProblem[] = [];
    let root: string | undefined;
    const visit = async (path: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch (e) {
        problems.push({ kind: "problem", id: path, reason: `cannot list directory (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})` });
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        if (e.name.startsWith(".")) continue;
        const p = join(path, e.name);
        if (e.isDirectory()) await visit(p);
        else if (e.isFile()) add(p);
      }
    };
    const add = (p: string) => {
      if (p.endsWith(".metadata.json")) return;
      const rel = awsLogsRelative(p.split(sep).join("/"));
      const k = rel ? parseAwsLogsKey(rel) : undefined;
      if (!rel || !k) return;
      root ??= p.slice(0, p.length - rel.length);
      const label = `AWSLogs/${k.organizationId ? `${k.organizationId}/` : ""}${k.account}/${k.region}`;
      let g = groups.get(label);
      if (!g) {
        g = { group: { bucket: "", account: k.account, region: k.region, label }, digests: [], logs: [] };
        groups.set(label, g);
      }
      (k.kind === "digests" ? g.digests : g.logs).push({ path: p, rel });
      byRel.set(rel, p);
    };
    for (const p of this.paths) {
      const abs = resolve(p);
      try {
        const s = await stat(abs);
        if (s.isDirectory()) await visit(abs);
        else add(abs);
      } catch (e) {
        problems.push({ kind: "problem", id: abs, reason: (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file or directory" : `cannot open (${(e as Error).message})` });
      }
    }
    this.loaded = { byRel, ...(root !== undefined ? { root } : {}) };
    return { groups: [...groups.values()], byRel, problems, root };
  }

  /** The time the copy's digests span (by the end times in their names), e.g. to ask ListPublicKeys for that range. */
  async span(): Promise<{ from: Date; to: Date } | undefined> {
    let from = Infinity;
    let to = -Infinity;
    for (const g of (await this.load()).groups) {
      for (const d of g.digests) {
        const t = parseDigestName(d.rel)?.end.getTime();
        if (t === undefined) continue;
        from = Math.min(from, t);
        to = Math.max(to, t);
      }
    }
    return Number.isFinite(from) ? { from: new Date(from - 3_600_000), to: new Date(to) } : undefined;
  }

  async *groups(): AsyncIterable<IntegrityGroup | StoreProblem> {
    const { groups, problems } = await this.load();
    yield* problems;
    for (const g of groups) yield g.group;
  }

  private async find(g: IntegrityGroup): Promise<LocalGroup> {
    const found = (await this.load()).groups.find((x) => x.group.label === g.label);
    if (!found) throw new Error(`unknown group ${g.label}`);
    return found;
  }

  async digests(g: IntegrityGroup): Promise<StoredObject[]> {
    return (await this.find(g)).digests.filter((d) => d.rel.endsWith(".json.gz")).map((d) => ({ id: d.path, bucket: "", key: d.rel }));
  }

  async logFiles(g: IntegrityGroup): Promise<StoredObject[]> {
    return (await this.find(g)).logs.map((d) => ({ id: d.path, bucket: "", key: d.rel }));
  }

  async readDigest(o: StoredObject): Promise<Fetched<{ content: Buffer; signature?: string; signatureAlgorithm?: string }>> {
    let buf: Buffer;
    try {
      const s = await stat(o.id);
      if (s.size > MAX_DIGEST_BYTES) return { status: "error", reason: `${s.size} bytes: too large for a digest file` };
      buf = await readFile(o.id);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return code === "ENOENT" ? { status: "gone", reason: "no such file" } : { status: "error", reason: `cannot read (${code ?? (e as Error).message})` };
    }
    const inflated = inflateDigest(buf);
    if ("error" in inflated) return { status: "error", reason: `its content is ${inflated.error}` };
    const sidecar = await readSidecar(`${o.id}.metadata.json`);
    if (typeof sidecar === "string") return { status: "error", reason: sidecar };
    return { status: "ok", content: inflated.content, ...sidecar };
  }

  async hashLog(_bucket: string, key: string): Promise<LogHash> {
    const rel = awsLogsRelative(key);
    const path = rel ? (await this.load()).byRel.get(rel) : undefined;
    if (!path) return { status: "gone", reason: "not in the local copy: deleted, or not copied" };
    try {
      return { status: "ok", sha256: await sha256OfGzipStream(createReadStream(path)) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === "ENOENT") return { status: "gone", reason: "no such file" };
      if (code && /^E[A-Z]+$/.test(code)) return { status: "error", reason: `cannot read (${code})` };
      return { status: "corrupt", reason: (e as Error).message };
    }
  }

  /** Where the copy has the object a digest names, or where it would have it (under the copy's root). */
  idOf(_bucket: string, key: string): string {
    const rel = awsLogsRelative(key) ?? key;
    return this.loaded?.byRel.get(rel) ?? join(this.loaded?.root ?? "", ...rel.split("/"));
  }

  locationMatches(readFrom: StoredObject, named: { bucket: string; key: string }): boolean {
    return awsLogsRelative(named.key) === readFrom.key;
  }
}

/** Reads a digest's sidecar of S3 metadata; absent is fine, unreadable or malformed is an error. */
async function readSidecar(path: string): Promise<{ signature?: string; signatureAlgorithm?: string } | string> {
  let text: string;
  try {
    const s = await stat(path);
    if (s.size > 64 * 1024) return `${path} is too large for object metadata`;
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return {};
    return `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return `${path} is not JSON (${(e as Error).message})`;
  }
  const o = (json && typeof json === "object" && "Metadata" in json ? json.Metadata : json) as Record<string, unknown> | null;
  if (!o || typeof o !== "object") return `${path} holds no metadata object`;
  const sig = o.signature ?? o["x-amz-meta-signature"];
  const alg = o["signature-algorithm"] ?? o["x-amz-meta-signature-algorithm"];
  if (sig !== undefined && typeof sig !== "string") return `${path}: signature is not a string`;
  if (alg !== undefined && typeof alg !== "string") return `${path}: signature-algorithm is not a string`;
  return { ...(sig !== undefined ? { signature: sig } : {}), ...(alg !== undefined ? { signatureAlgorithm: alg } : {}) };
}
