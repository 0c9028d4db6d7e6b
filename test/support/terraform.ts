/**
 * Runs real Terraform, offline, on a synthesized cdktf stack: `init -backend=false` against the local
 * provider mirror, `validate`, `plan -refresh=false` with fake credentials, `show -json`.
 *
 * Use it on whole stacks, once per test file (in `beforeAll`): each run costs a few seconds.
 * When Terraform or the provider mirror is missing the run FAILS with what to install; it never
 * skips, because a silently skipped plan test proves nothing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, type TerraformStack } from "cdktf";

/** Where the `hashicorp/aws` filesystem mirror lives (override with TRAILWATCH_TF_PLUGINS). */
export const PLUGIN_MIRROR = process.env.TRAILWATCH_TF_PLUGINS ?? "/opt/tf-plugins";
/** The terraform binary (override with TRAILWATCH_TERRAFORM). */
export const TERRAFORM = process.env.TRAILWATCH_TERRAFORM ?? "terraform";
/** Provider plugins are unpacked once here and reused by every init (terraform's plugin_cache_dir). */
const PLUGIN_CACHE = join(tmpdir(), "trailwatch-tf-plugin-cache");

/** The fake credentials plan runs with; no request leaves the machine. */
const FAKE_ENV = {
  AWS_ACCESS_KEY_ID: "AKIAIOSFODNN7EXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
  AWS_EC2_METADATA_DISABLED: "true",
  CHECKPOINT_DISABLE: "1",
  TF_IN_AUTOMATION: "1",
  TF_INPUT: "0",
};

/** Provider arguments that let the AWS provider plan without reaching AWS. */
const OFFLINE_PROVIDER_FLAGS = {
  skip_credentials_validation: true,
  skip_requesting_account_id: true,
  skip_metadata_api_check: "true",
  skip_region_validation: true,
};

/** The parts of `terraform show -json` the tests read. */
export interface PlanJson {
  format_version: string;
  planned_values: { root_module: PlanModule };
  resource_changes: ResourceChange[];
  prior_state?: { values?: { root_module: PlanModule } };
  configuration: { root_module: { resources: ConfigResource[] } };
}
export interface PlanModule {
  resources?: PlannedResource[];
  child_modules?: PlanModule[];
}
export interface PlannedResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  values: Record<string, unknown>;
  sensitive_values?: Record<string, unknown>;
}
export interface ResourceChange {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  change: { actions: string[]; before?: Record<string, unknown> | null; after: Record<string, unknown> | null; after_unknown?: Record<string, unknown> };
  /** Why Terraform chose the action (e.g. `replace_because_cannot_update`, `read_because_dependency_pending`). */
  action_reason?: string;
}
export interface ConfigResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  expressions?: Record<string, unknown>;
}

export interface TerraformRun {
  /** The stack's working directory (cdk.tf.json, assets, .terraform, plan.bin). */
  stackDir: string;
  /** The synthesized Terraform JSON as written by cdktf (before the offline provider flags). */
  synthesized: Record<string, any>;
  plan: PlanJson;
  /** Milliseconds per step. */
  timings: { synth: number; init: number; validate: number; plan: number; show: number };
  /** Deletes the temporary directory (call it in afterAll; keep it to look at a failure). */
  dispose(): void;
}

/** Throws, with what to install, when terraform or the provider mirror is missing. */
export function assertTerraformAvailable(): void {
  const problems: string[] = [];
  if (!existsSync(join(PLUGIN_MIRROR, "registry.terraform.io", "hashicorp", "aws"))) {
    problems.push(`no hashicorp/aws provider mirror at ${PLUGIN_MIRROR} (set TRAILWATCH_TF_PLUGINS, or create one with \`terraform providers mirror ${PLUGIN_MIRROR}\` on a machine with internet, provider 5.100.0)`);
  }
  try {
    execFileSync(TERRAFORM, ["version"], { stdio: "pipe", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  } catch {
    problems.push(`no \`${TERRAFORM}\` binary on PATH (install Terraform >= 1.5, or set TRAILWATCH_TERRAFORM)`);
  }
  if (problems.length > 0) throw new Error(`Cannot run Terraform tests:\n- ${problems.join("\n- ")}`);
}

/**
 * Synthesizes the stack `build` creates (aspects run, error annotations fail), then runs terraform
 * init, validate, plan and show in the stack's directory and returns the parsed plan.
 */
export function planStack(build: (app: App) => TerraformStack): TerraformRun {
  assertTerraformAvailable();
  const outdir = mkdtempSync(join(tmpdir(), "trailwatch-tf-"));
  const t0 = performance.now();
  const app = new App({ outdir, skipBackendValidation: true });
  const stack = build(app);
  app.synth();
  const synth = performance.now() - t0;

  const stackDir = join(outdir, "stacks", stack.node.id);
  const configPath = join(stackDir, "cdk.tf.json");
  const synthesized = JSON.parse(readFileSync(configPath, "utf8")) as Record<string, any>;
  writeFileSync(configPath, JSON.stringify(withOfflineProviders(synthesized), null, 2));

  const cliConfig = writeCliConfig(outdir);
  const env: NodeJS.ProcessEnv = { ...process.env, ...FAKE_ENV, TF_CLI_CONFIG_FILE: cliConfig };
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;

  const timed = (args: string[]): [string, number] => {
    const start = performance.now();
    const out = tf(stackDir, args, env);
    return [out, performance.now() - start];
  };
  const [, init] = timed(["init", "-backend=false", "-input=false", "-no-color"]);
  const [, validate] = timed(["validate", "-no-color"]);
  const [, plan] = timed(["plan", "-refresh=false", "-input=false", "-lock=false", "-no-color", "-out=plan.bin"]);
  const [json, show] = timed(["show", "-json", "plan.bin"]);
  return {
    stackDir,
    synthesized,
    plan: JSON.parse(json) as PlanJson,
    timings: { synth: Math.round(synth), init: Math.round(init), validate: Math.round(validate), plan: Math.round(plan), show: Math.round(show) },
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/**
 * Writes a Terraform CLI config into `dir` that installs `hashicorp/aws` from the offline mirror
 * only, with a shared plugin cache; returns its path (for `TF_CLI_CONFIG_FILE`).
 */
export function writeCliConfig(dir: string): string {
  mkdirSync(PLUGIN_CACHE, { recursive: true });
  const cliConfig = join(dir, "terraform.rc");
  writeFileSync(
    cliConfig,
    [
      `plugin_cache_dir = ${JSON.stringify(PLUGIN_CACHE)}`,
      "disable_checkpoint = true",
      "provider_installation {",
      `  filesystem_mirror {\n    path    = ${JSON.stringify(PLUGIN_MIRROR)}\n    include = ["hashicorp/aws"]\n  }`,
      '  direct {\n    exclude = ["hashicorp/aws"]\n  }',
      "}",
      "",
    ].join("\n"),
  );
  return cliConfig;
}

function tf(cwd: string, args: string[], env: NodeJS.ProcessEnv): string {
  try {
    return execFileSync(TERRAFORM, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`terraform ${args[0]} failed in ${cwd}:\n${(e.stderr || e.stdout || e.message).trim()}`);
  }
}

/**
 * Adds the offline flags to every `aws` provider block (allowed_account_ids needs a real account
 * lookup, so it goes) and drops the backend block (cdktf writes a local backend; `init
 * -backend=false` then plans with no state at all, which is what a first deployment sees).
 */
function withOfflineProviders(config: Record<string, any>): Record<string, any> {
  const copy = structuredClone(config);
  if (copy.terraform) delete copy.terraform.backend;
  const aws = copy.provider?.aws as Record<string, unknown>[] | undefined;
  for (const p of aws ?? []) {
    Object.assign(p, OFFLINE_PROVIDER_FLAGS);
    delete p.allowed_account_ids;
  }
  return copy;
}

/** Every resource of a plan module tree (planned values), depth first. */
export function plannedResources(plan: PlanJson): PlannedResource[] {
  const out: PlannedResource[] = [];
  const walk = (m: PlanModule | undefined): void => {
    if (!m) return;
    out.push(...(m.resources ?? []));
    (m.child_modules ?? []).forEach(walk);
  };
  walk(plan.planned_values.root_module);
  // Data sources read during plan are in prior_state, not in planned_values.
  const prior = plan.prior_state?.values?.root_module;
  if (prior) {
    const seen = new Set(out.map((r) => r.address));
    const p: PlannedResource[] = [];
    const walkPrior = (m: PlanModule | undefined): void => {
      if (!m) return;
      p.push(...(m.resources ?? []).filter((r) => !seen.has(r.address)));
      (m.child_modules ?? []).forEach(walkPrior);
    };
    walkPrior(prior);
    out.push(...p);
  }
  return out;
}

/** Files of a directory tree (for asset checks). */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else out.push(p);
  }
  return out;
}
