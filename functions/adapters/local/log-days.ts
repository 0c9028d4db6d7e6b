import { readdir, stat } from "node:fs/promises";
import { basename, dirname, join, resolve, sep } from "node:path";

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Finds the `<account>/CloudTrail/<region>` directories of local copies of trail buckets, in either
 * layout (`AWSLogs/<account>/...` or `AWSLogs/<org-id>/<account>/...`). Each path may be a bucket
 * copy, its `AWSLogs` folder, an organization folder, the account folder, the region folder itself,
 * or a day folder under it. Searches at most `maxDepth` levels down and never descends into
 * `CloudTrail` folders (the files are there, not more layouts).
 */
export async function findRegionDirs(paths: readonly string[], account: string, region: string, maxDepth = 6): Promise<string[]> {
  const found = new Set<string>();
  const tail = `${sep}${account}${sep}CloudTrail${sep}${region}`;
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (basename(dir) === account && (await isDir(join(dir, "CloudTrail", region)))) {
      found.add(join(dir, "CloudTrail", region));
      return;
    }
    if (depth >= maxDepth || basename(dir) === "CloudTrail") return;
    let names: string[];
    try {
      names = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
    } catch {
      return;
    }
    for (const n of names) await walk(join(dir, n), depth + 1);
  };
  for (const p of paths) {
    let dir = resolve(p);
    // A day folder (…/<region>/YYYY/MM/DD) or a year/month under the region: climb to the region.
    for (let i = 0; i < 3 && !dir.endsWith(tail) && /^\d{2,4}$/.test(basename(dir)); i++) dir = dirname(dir);
    if (dir.endsWith(tail) && (await isDir(dir))) found.add(dir);
    else await walk(dir, 0);
  }
  return [...found].sort();
}

/** The existing folders of one day (`YYYY/MM/DD`) under region folders. */
export async function dayDirs(regionDirs: readonly string[], day: string): Promise<string[]> {
  const out: string[] = [];
  for (const r of regionDirs) {
    const d = join(r, ...day.split("/"));
    if (await isDir(d)) out.push(d);
  }
  return out;
}
