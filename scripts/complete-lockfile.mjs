#!/usr/bin/env node
// Adds lockfile entries for optional platform packages (other OS/CPU builds of esbuild, swc, DuckDB,
// jest's resolver) that this machine's npm registry mirror does not serve. npm leaves them out of
// package-lock.json when it cannot fetch their metadata, and `npm ci` then refuses the lockfile as
// "out of sync". Each entry carries os/cpu/libc, so npm skips it on other platforms and fetches it
// by name and version where it matches. Run after every `npm install` that changes the lockfile:
//   node scripts/complete-lockfile.mjs
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";

let out = "";
try {
  execFileSync("npm", ["ci", "--dry-run"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
} catch (e) {
  out = String(e.stderr ?? "");
}
const missing = [...out.matchAll(/Missing: (.+?)@\S* from lock file/g)].map((m) => m[1]);
if (missing.length === 0) {
  console.log("package-lock.json is complete");
  process.exit(0);
}
const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const wanted = {};
for (const v of Object.values(lock.packages)) for (const [d, ver] of Object.entries(v.optionalDependencies ?? {})) wanted[d] = ver;
const devOnly = new Set(Object.entries(lock.packages).filter(([, v]) => v.dev).flatMap(([, v]) => Object.keys(v.optionalDependencies ?? {})));
for (const name of missing) {
  const n = name.split("/").pop();
  const os = ["darwin", "linux", "win32", "freebsd", "android", "openharmony"].find((o) => n.includes(`-${o}-`));
  const cpu = ["arm64", "x64", "ia32", "ppc64", "s390x", "riscv64", "loong64", "arm"].find((c) => new RegExp(`-${c}(-|$)`).test(n));
  const libc = n.includes("musl") ? "musl" : os === "linux" ? "glibc" : undefined;
  const entry = { version: wanted[name], optional: true, ...(devOnly.has(name) ? { dev: true } : {}), ...(cpu ? { cpu: [cpu] } : {}), ...(os ? { os: [os] } : {}), ...(libc ? { libc: [libc] } : {}) };
  lock.packages[`node_modules/${name}`] = entry;
  console.log(`added node_modules/${name}`, JSON.stringify(entry));
}
writeFileSync("package-lock.json", JSON.stringify(lock, null, 2) + "\n");
