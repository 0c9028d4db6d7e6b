/**
 * zod for everything under `functions/` (it is bundled into the Lambda functions): `zod/mini`, the
 * same validation engine as `zod` with a functional API (`z.optional(s)`, `s.check(z.minLength(1))`)
 * that esbuild tree-shakes, about 65 KB less per bundle than `zod`, whose schema classes carry every
 * method. zod/mini ships without error messages; English is configured here, once, so every issue
 * says what was wrong. Import it as a namespace, `import * as z from "<path>/core/zod"`.
 */
import { en } from "zod/locales";
import { config, NEVER, type core } from "zod/mini";

config(en());

export * from "zod/mini";

/**
 * Reports `message` as a custom issue from inside `z.transform` (zod/mini passes the transform the
 * raw parse payload, which has no `addIssue`) and returns `NEVER`, so the value is not used.
 */
export function transformIssue(ctx: core.ParsePayload, message: string): never {
  ctx.issues.push({ code: "custom", message, input: ctx.value });
  return NEVER;
}
