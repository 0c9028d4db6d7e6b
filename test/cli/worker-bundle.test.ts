import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { scanWorkerBundle } from "../../functions/cli/scan-pool/worker-bundle";

/** The bundled scan worker is built once, reused while its inputs are unchanged, and rebuilt otherwise. */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "tw-bundle-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const manifestOf = (d: string) => JSON.parse(readFileSync(join(d, "scan-worker.json"), "utf8")) as { size: number; inputs: Record<string, [number, number]> };

describe("the bundled scan worker", () => {
  it("is built with every input recorded, private to the user, and reused while nothing changed", async () => {
    const file = await scanWorkerBundle(dir);
    expect(file).toBe(join(dir, "scan-worker.cjs"));
    const m = manifestOf(dir);
    expect(Object.keys(m.inputs)).toEqual(expect.arrayContaining(["functions/cli/scan-pool/worker.ts", "functions/core/rules/engine.ts"]));
    expect(Object.keys(m.inputs).some((p) => p.startsWith("functions/core/rules/catalog/"))).toBe(true);
    expect(statSync(file!).size).toBe(m.size);
    expect(statSync(file!).mode & 0o077).toBe(0);
    expect(readFileSync(file!, "utf8")).toContain("scan worker: not started as a worker thread");
    const built = statSync(file!).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    expect(await scanWorkerBundle(dir)).toBe(file);
    expect(statSync(file!).mtimeMs).toBe(built);
  });

  it("is rebuilt when an input differs from what was recorded, or the bundle was cut short", async () => {
    const file = (await scanWorkerBundle(dir))!;
    const m = manifestOf(dir);
    const [first] = Object.keys(m.inputs);
    m.inputs[first!]![0] += 1;
    writeFileSync(join(dir, "scan-worker.json"), JSON.stringify(m));
    const before = statSync(file).mtimeMs;
    await new Promise((r) => setTimeout(r, 20));
    await scanWorkerBundle(dir);
    expect(statSync(file).mtimeMs).toBeGreaterThan(before);
    expect(manifestOf(dir).inputs[first!]![0]).toBe(m.inputs[first!]![0] - 1);

    writeFileSync(file, "throw new Error('cut short');");
    await scanWorkerBundle(dir);
    expect(statSync(file).size).toBe(manifestOf(dir).size);
    expect(readFileSync(file, "utf8")).not.toContain("cut short");
  });
});
