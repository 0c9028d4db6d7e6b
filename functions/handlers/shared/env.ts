import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)

/** The environment of a function is wrong; the message lists every bad variable and what was expected. */
export class EnvError extends Error {
  override name = "EnvError";
}

type Env = Record<string, string | undefined>;

/**
 * A variable that holds JSON, validated by `schema` after parsing. Absent or blank counts as
 * undefined, so `.optional()` and `.default()` on the result work as for plain strings.
 * `expected` is shown when the text is not JSON, e.g. `a JSON object such as {"rule.id": "apply"}`.
 */
export function jsonVar<T extends z.ZodType>(schema: T, expected: string) {
  return z.preprocess((v, ctx) => {
    if (v === undefined || (typeof v === "string" && v.trim() === "")) return undefined;
    if (typeof v !== "string") return v;
    try {
      return JSON.parse(v);
    } catch (e) {
      ctx.addIssue({ code: "custom", message: `is not valid JSON (${(e as Error).message}); expected ${expected}` });
      return z.NEVER;
    }
  }, schema);
}

/**
 * Validates a function's environment against a zod object schema (keys are variable names).
 * Throws {@link EnvError} naming the function and every offending variable, e.g.
 * `log-analyzer: invalid environment: ALERT_TOPIC_ARN: required; REMEDIATION.foo: ...`.
 */
export function parseEnv<S extends z.ZodObject>(service: string, schema: S, env: Env = process.env): z.output<S> {
  const res = schema.safeParse(env);
  if (res.success) return res.data;
  const problems = res.error.issues.map((i) => {
    const where = i.path.map(String).join(".") || "(environment)";
    const missing = i.code === "invalid_type" && i.path.length === 1 && env[String(i.path[0])] === undefined;
    return `${where}: ${missing ? "is required but not set" : i.message}`;
  });
  throw new EnvError(`${service}: invalid environment: ${problems.join("; ")}`);
}

/** An ARN of the given service and resource type, e.g. `arnVar("sns")` for a topic. */
export function arnVar(service: string, example: string) {
  return z
    .string()
    .trim()
    .regex(new RegExp(`^arn:aws[a-z-]*:${service}:`), `must be an ${service} ARN such as ${example}`);
}
