/**
 * The one-way import rule of docs/architecture.md ("Layers"), checked on every source file: a layer
 * imports only itself and the layers below it, and `functions/core` imports no AWS SDK, file system
 * or network module. Imports are read with TypeScript's own pre-processor (static, dynamic and
 * `require`), so text that merely looks like an import is not counted.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { preProcessFile } from "typescript";

const ROOT = resolve(__dirname, "../..");

type Layer = "core" | "adapters" | "app" | "handlers" | "cli" | "modules" | "infra" | "scripts";

/** What each layer may import (itself included); scripts/ may import anything and is not checked. */
const ALLOWED: Record<Exclude<Layer, "scripts">, readonly Layer[]> = {
  core: ["core"],
  adapters: ["adapters", "core"],
  app: ["app", "adapters", "core"],
  handlers: ["handlers", "app", "adapters", "core"],
  cli: ["cli", "app", "adapters", "core"],
  // Config schemas and the synth reuse core's validation and two adapters (rules folder, scorer columns).
  modules: ["modules", "adapters", "core"],
  infra: ["infra", "modules", "adapters", "core"],
};

/** Imports that cross the rule on purpose, each with why. */
const ALLOWED_CROSSINGS: Record<string, string> = {
  "functions/cli/commands/demo.ts -> scripts/generator": "the demo generates its organization with the synthetic-log generator",
  "functions/cli/commands/hunt.ts -> infra/config/load": "`trailwatch hunt --config` reads the deployment's config file to find its state machine",
};


/** Packages functions/core may import: zod and Node modules that do no I/O (hashes, IP parsing, regex flags). */
const CORE_PACKAGES = /^(zod(\/.*)?|node:crypto|node:net|node:v8)$/;

function layerOf(path: string): Layer | undefined {
  const m = /^(?:functions\/(core|adapters|app|handlers|cli)|(modules|infra|scripts))\//.exec(path);
  return (m?.[1] ?? m?.[2]) as Layer | undefined;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|cjs|mjs)$/.test(e.name) && !e.name.endsWith(".d.ts"))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split("\\").join("/"));
}

/** Every import of the file: `{ spec, target }`, target repo-relative for relative specifiers. */
function importsOf(path: string): { spec: string; target?: string }[] {
  const info = preProcessFile(readFileSync(join(ROOT, path), "utf8"), true, true);
  return info.importedFiles.map(({ fileName: spec }) =>
    spec.startsWith(".") ? { spec, target: relative(ROOT, resolve(ROOT, dirname(path), spec)).split("\\").join("/") } : { spec },
  );
}

describe("the layers of docs/architecture.md", () => {
  const files = ["functions", "modules", "infra"].flatMap(sourceFiles);

  it("import only themselves and the layers below them", () => {
    // Prepare
    const crossings: string[] = [];
    // Act
    for (const file of files) {
      const from = layerOf(file);
      if (!from || from === "scripts") continue;
      for (const { target } of importsOf(file)) {
        const to = target ? layerOf(`${target}/`) : undefined;
        if (!target || !to || ALLOWED[from].includes(to)) continue;
        const crossing = `${file} -> ${target}`;
        if (!(crossing in ALLOWED_CROSSINGS)) crossings.push(`${crossing} (${from} may import ${ALLOWED[from].join(", ")})`);
      }
    }
    // Assess
    expect(files.length).toBeGreaterThan(300);
    expect(crossings).toEqual([]);
  });

  it("keep functions/core free of the AWS SDK, the file system and the network", () => {
    // Prepare
    const core = files.filter((f) => layerOf(f) === "core");
    // Act
    const packages = core.flatMap((file) => importsOf(file).filter((i) => !i.target && !CORE_PACKAGES.test(i.spec)).map((i) => `${file}: ${i.spec}`));
    // Assess
    expect(core.length).toBeGreaterThan(100);
    expect(packages).toEqual([]);
  });

  it("would see a forbidden import (the check is not blind)", () => {
    // Prepare: a core file as it would be if it reached for an adapter and the SDK
    const info = preProcessFile('import { S3Client } from "@aws-sdk/client-s3";\nimport { x } from "../../adapters/aws/y";\nconst t = `from "not/an/import"`;', true, true);
    // Act
    const specs = info.importedFiles.map((f) => f.fileName);
    // Assess
    expect(specs).toEqual(["@aws-sdk/client-s3", "../../adapters/aws/y"]);
    expect(layerOf(relative(ROOT, resolve(ROOT, "functions/core/rules", specs[1]!)) + "/")).toBe("adapters");
    expect(CORE_PACKAGES.test(specs[0]!)).toBe(false);
  });
});
