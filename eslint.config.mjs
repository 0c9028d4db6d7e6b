// ESLint for every TypeScript file the project owns: typescript-eslint's recommended type-checked
// rules (types come from tsconfig.json through the project service), plus the rules the code base
// relies on. `npm run lint` runs it; `npm test` runs it after `tsc --noEmit` and before jest.
// A rule is switched off or down only in a scoped block below, with the reason beside it.
import tseslint from "typescript-eslint";

// Bundled code (functions/ except the CLI) imports zod/mini through functions/core/zod.ts: the
// `zod` package's classic schema classes add ~65 KB to every Lambda bundle, and a named `z` import
// defeats esbuild's tree-shaking of the namespace (test/modules/lambda-function/bundle-size.test.ts
// checks the built bundles; this rule says it at the import).
const ZOD_IN_BUNDLES = "bundled code imports zod as `import * as z from \"<path>/core/zod\"` (zod/mini with English messages)";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", "dist/", ".demo/", ".bench/", ".scratch*/", "coverage/", ".terraform/", "**/*.js", "**/*.cjs", "**/*.mjs"] },
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_`-prefixed names are deliberately unused (positional parameters, destructuring to omit a key).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true }],
      // Ports return promises; in-memory adapters and fakes implement them with `async` and no await,
      // which keeps a throw a rejection (what callers handle) instead of a synchronous exception.
      // `import x = require("m")` is TypeScript's typed import of a CommonJS `export =` module.
      "@typescript-eslint/no-require-imports": ["error", { allowAsImport: true }],
      "@typescript-eslint/require-await": "off",
      // CloudTrail fields are `unknown` JSON: `String(v ?? "")` deliberately coerces a hostile value
      // before comparing it, and an object turning into "[object Object]" just fails the comparison.
      "@typescript-eslint/no-base-to-string": "off",
    },
  },
  {
    // Tests read JSON (server responses, fixtures, captured SDK inputs) and poke at it to assert;
    // typing every such value would add casts, not safety. Product code keeps these rules.
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
  {
    files: ["functions/**/*.ts"],
    ignores: ["functions/cli/**", "functions/core/zod.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: "^zod(/.*)?$", message: ZOD_IN_BUNDLES }] }],
      "no-restricted-syntax": [
        "error",
        { selector: "ImportDeclaration[source.value=/(^|\\/)zod$/] > ImportSpecifier[imported.name='z']", message: ZOD_IN_BUNDLES },
        { selector: "ImportDeclaration[source.value=/(^|\\/)zod$/] > ImportDefaultSpecifier", message: ZOD_IN_BUNDLES },
      ],
    },
  },
);
