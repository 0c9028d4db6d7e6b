/**
 * Two source rewrites that let esbuild drop the parts of the AWS SDK v3 clients a handler never
 * calls. Both keep the SDK's behaviour byte for byte (test/modules/lambda-function/sdk-size.test.ts
 * runs the same SDK calls bundled with and without them against a capturing server).
 *
 * 1. A backport of the upstream fix for aws/aws-sdk-js-v3#7607 ("Increased bundle size on latest
 *    versions": EC2Client and three commands grew from about 30 KB to 492 KB under esbuild), whose
 *    fix is smithy-lang/smithy-typescript#1889 ("use literal string keys in SchemaTraitWriter to fix
 *    esbuild tree-shaking"; open when this was written; esbuild's side is evanw/esbuild#4373). The
 *    clients' generated schema modules (`@aws-sdk/client-<x>/dist-es/schemas/schemas_0.js`) spell
 *    member traits with computed keys, `{ [_xN]: _m }`, where `_xN` is a module constant
 *    `const _xN = "xmlName"`. esbuild treats a computed key whose value it does not know as a
 *    possible side effect (it could call `toString`), so it keeps every schema that has one, and
 *    everything they point to: 550 KB of EC2 schemas for two EC2 calls. With the constant written in
 *    (`{ xmlName: _m }`), as the upstream generator will write it, unused schemas are dropped like
 *    any other unused constant. A test fails once the installed SDK writes plain keys itself: then
 *    delete this rewrite.
 * 2. Each client imports its whole `package.json` to read `version` for the user agent; only
 *    `name` and `version` are kept (about 2 KB per client).
 */
import { readFile } from "node:fs/promises";
import type { Plugin } from "esbuild";

/** The generated schema modules of the AWS SDK v3 clients. */
export const SDK_SCHEMA_MODULE = /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/;
/** The `package.json` of an `@aws-sdk/*` package (imported by its runtime config). */
export const SDK_PACKAGE_JSON = /[\\/]node_modules[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/**
 * Keys whose literal form does not mean the same as the computed one: `{ __proto__: v }` sets the
 * object's prototype where `{ ["__proto__"]: v }` makes an own property. `constructor` and
 * `prototype` are left computed too, so no rewrite can touch an object's shape.
 */
const UNSAFE_KEYS = new Set(["__proto__", "constructor", "prototype"]);

/**
 * Rewrites `{ [_k]: v }` / `, [_k]: v` to `{ name: v }` where `_k` is a top-level
 * `const _k = "name";` of the same module. Only keys in object-literal position are touched (after
 * `{` or `,`), only names bound to a plain string constant, never a `__proto__`-like name, and a
 * name declared twice is left alone, so the result always means the same as the input.
 */
export function literalSchemaKeys(source: string): string {
  const constants = new Map<string, string>();
  const declaredTwice = new Set<string>();
  for (const m of source.matchAll(/^const (_\w+) = "([^"\\\n]*)";$/gm)) {
    if (constants.has(m[1]!)) declaredTwice.add(m[1]!);
    constants.set(m[1]!, m[2]!);
  }
  return source.replace(/([{,]\s*)\[(_\w+)\]:/g, (whole, before: string, name: string) => {
    const value = constants.get(name);
    if (value === undefined || declaredTwice.has(name) || UNSAFE_KEYS.has(value)) return whole;
    return `${before}${IDENTIFIER.test(value) ? value : JSON.stringify(value)}:`;
  });
}

/** `package.json` text reduced to the fields the SDK reads at run time. */
export function trimmedPackageJson(text: string, path: string): string {
  let pkg: { name?: unknown; version?: unknown };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  return JSON.stringify({ name: pkg.name, version: pkg.version });
}

/** The esbuild plugin applying both rewrites (Lambda bundles only; tests and the CLI load the SDK as published). */
export function sdkSizePlugin(): Plugin {
  return {
    name: "trailwatch-sdk-size",
    setup(build) {
      build.onLoad({ filter: SDK_SCHEMA_MODULE }, async (args) => ({
        contents: literalSchemaKeys(await readFile(args.path, "utf8")),
        loader: "js",
      }));
      build.onLoad({ filter: SDK_PACKAGE_JSON }, async (args) => ({
        contents: trimmedPackageJson(await readFile(args.path, "utf8"), args.path),
        loader: "json",
      }));
    },
  };
}
