/**
 * Real Terraform against an AWS emulator (moto): synthesize a stack, point every `aws` provider block
 * (the default one and each alias) at the emulator with an override file next to `cdk.tf.json`, and
 * run init/plan/apply/destroy asynchronously (the emulator's gap proxy runs in this process, so a
 * synchronous child would block it), logging progress lines a CI reader can follow.
 */
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { App, type TerraformStack } from "cdktf";
import { assertTerraformAvailable, TERRAFORM, writeCliConfig, type PlanJson } from "./terraform";

/**
 * The provider's endpoint key for each resource type the stacks use (`endpoints` block of the AWS
 * provider 5.x). A type missing here fails the override with what to add, so no request of a new
 * resource type ever leaves for a real AWS endpoint.
 */
const ENDPOINT_OF: [RegExp, string][] = [
  [/^aws_athena_/, "athena"],
  [/^aws_cloudformation_/, "cloudformation"],
  [/^aws_cloudwatch_event_/, "events"],
  [/^aws_cloudwatch_log_/, "logs"],
  [/^aws_cloudwatch_metric_alarm$/, "cloudwatch"],
  [/^aws_dynamodb_/, "dynamodb"],
  [/^aws_glue_/, "glue"],
  [/^aws_iam_/, "iam"],
  [/^aws_kms_/, "kms"],
  [/^aws_lambda_/, "lambda"],
  [/^aws_s3_/, "s3"],
  [/^aws_scheduler_/, "scheduler"],
  [/^aws_secretsmanager_/, "secretsmanager"],
  [/^aws_sfn_/, "sfn"],
  [/^aws_sns_/, "sns"],
  [/^aws_sqs_/, "sqs"],
  [/^aws_ssm_/, "ssm"],
];

/** Writes `line` where a CI log shows it at once (jest buffers console.log until the test ends). */
export type ProgressLog = (line: string) => void;

export interface SynthesizedStack {
  outdir: string;
  stackDir: string;
  synthesized: Record<string, any>;
}

/** Synthesizes the stack `build` creates into `outdir` (aspects run; an error annotation throws). */
export function synthesize(build: (app: App) => TerraformStack, outdir: string): SynthesizedStack {
  const app = new App({ outdir, skipBackendValidation: true });
  const stack = build(app);
  app.synth();
  const stackDir = join(outdir, "stacks", stack.node.id);
  return { outdir, stackDir, synthesized: JSON.parse(readFileSync(join(stackDir, "cdk.tf.json"), "utf8")) as Record<string, any> };
}

/** Every resource and data source type of a synthesized stack, with the endpoint key it needs. */
export function endpointServices(synthesized: Record<string, any>): string[] {
  const types = [...Object.keys(synthesized.resource ?? {}), ...Object.keys(synthesized.data ?? {})];
  const services = new Set<string>(["sts"]);
  const unmapped: string[] = [];
  for (const type of types) {
    if (type === "aws_iam_policy_document") continue; // evaluated by the provider, no request
    const hit = ENDPOINT_OF.find(([re]) => re.test(type));
    if (hit) services.add(hit[1]);
    else unmapped.push(type);
  }
  if (unmapped.length > 0) {
    throw new Error(`no emulator endpoint for ${unmapped.join(", ")}: add the provider's endpoint key for it to ENDPOINT_OF in test/support/emulator-terraform.ts`);
  }
  return [...services].sort();
}

/**
 * The override file's content: for each `aws` provider block of the stack (matched by alias), the
 * emulator's endpoint for every service the stack uses, fixed credentials, path-style S3, and few
 * retries (an action the emulator lacks answers 500, which the provider would otherwise retry for
 * minutes). `allowed_account_ids` stays: the emulator's STS answers the account the stack is for,
 * so the provider's account check really runs. State goes to `statePath` (a local backend).
 */
export function emulatorOverride(synthesized: Record<string, any>, endpoint: string, statePath: string): Record<string, unknown> {
  const endpoints = Object.fromEntries(endpointServices(synthesized).map((s) => [s, endpoint]));
  const blocks = (synthesized.provider?.aws ?? []) as { alias?: string }[];
  if (blocks.length === 0) throw new Error("the stack has no aws provider block to point at the emulator");
  return {
    provider: {
      aws: blocks.map((b) => ({
        ...(b.alias ? { alias: b.alias } : {}),
        access_key: "test",
        secret_key: "test",
        skip_credentials_validation: true,
        skip_metadata_api_check: "true",
        skip_region_validation: true,
        s3_use_path_style: true,
        max_retries: 3,
        endpoints: [endpoints],
      })),
    },
    terraform: { backend: { local: { path: statePath } } },
  };
}

/** Writes the override next to `cdk.tf.json`; Terraform merges `*_override.tf.json` over the synthesized config. */
export function writeEmulatorOverride(stack: SynthesizedStack, endpoint: string, statePath: string): string {
  const file = join(stack.stackDir, "emulator_override.tf.json");
  writeFileSync(file, JSON.stringify(emulatorOverride(stack.synthesized, endpoint, statePath), null, 2));
  return file;
}

/** `terraform show -json` of a state: the parts the lifecycle test reads. */
export interface StateJson {
  values?: { root_module: { resources?: StateResource[]; child_modules?: { resources?: StateResource[] }[] } };
}
export interface StateResource {
  address: string;
  mode: "managed" | "data";
  type: string;
  name: string;
  values: Record<string, any>;
}

/** Managed resources of a state (root and child modules). */
export function stateResources(state: StateJson): StateResource[] {
  const root = state.values?.root_module;
  return [...(root?.resources ?? []), ...(root?.child_modules ?? []).flatMap((m) => m.resources ?? [])].filter((r) => r.mode === "managed");
}

/** Runs Terraform in one stack directory, offline (provider from the mirror), with progress lines. */
export class TerraformCli {
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly dir: string,
    private readonly log: ProgressLog,
    workDir: string,
  ) {
    assertTerraformAvailable();
    this.env = { ...process.env, TF_CLI_CONFIG_FILE: writeCliConfig(workDir), CHECKPOINT_DISABLE: "1", TF_IN_AUTOMATION: "1", TF_INPUT: "0", AWS_EC2_METADATA_DISABLED: "true" };
    delete this.env.AWS_PROFILE;
    delete this.env.AWS_SESSION_TOKEN;
  }

  /**
   * Runs `terraform <args>` and resolves with its stdout. With `progress`, counts the lines of
   * resources done and logs `label: n/total` every 15 s and at the end.
   */
  run(args: string[], progress?: { label: string; total?: number }): Promise<string> {
    const started = Date.now();
    return new Promise((resolve, reject) => {
      const child = spawn(TERRAFORM, args, { cwd: this.dir, env: this.env, stdio: ["ignore", "pipe", "pipe"] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let done = 0;
      let partial = "";
      child.stdout.on("data", (d: Buffer) => {
        out.push(d);
        if (!progress) return;
        const lines = (partial + d.toString()).split("\n");
        partial = lines.pop() ?? "";
        done += lines.filter((l) => /: (Creation|Modifications|Destruction) complete after /.test(l)).length;
      });
      child.stderr.on("data", (d: Buffer) => err.push(d));
      const report = () => this.log(`${progress!.label}: ${done}${progress!.total !== undefined ? `/${progress!.total}` : ""} resources done (${elapsed(started)})`);
      const timer = progress ? setInterval(report, 15_000) : undefined;
      child.on("error", (e) => {
        clearInterval(timer);
        reject(e);
      });
      child.on("close", (code) => {
        clearInterval(timer);
        if (progress) report();
        const stdout = Buffer.concat(out).toString();
        if (code === 0 || (args.includes("-detailed-exitcode") && code === 2)) return resolve(stdout);
        const stderr = Buffer.concat(err).toString();
        reject(new Error(`terraform ${args.join(" ")} exited with ${code} in ${this.dir} after ${elapsed(started)}:\n${(stderr || stdout).trim().slice(-6000)}`));
      });
    });
  }

  /** `terraform init` from the offline mirror (the override's local backend included). */
  async init(): Promise<void> {
    await this.run(["init", "-input=false", "-no-color"]);
  }

  /** Plans into `file` and returns the JSON plan. */
  async plan(file: string, extra: string[] = []): Promise<PlanJson> {
    await this.run(["plan", "-input=false", "-no-color", "-lock=false", `-out=${file}`, ...extra]);
    return JSON.parse(await this.run(["show", "-json", file])) as PlanJson;
  }

  /** The current state as JSON. */
  async state(): Promise<StateJson> {
    return JSON.parse(await this.run(["show", "-json"])) as StateJson;
  }
}

/** `1m05s`. */
export function elapsed(since: number): string {
  const s = Math.round((Date.now() - since) / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
