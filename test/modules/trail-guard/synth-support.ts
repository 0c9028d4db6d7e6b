/**
 * Shared by the trail-guard and log-analyzer construct tests: a stack with a home-region provider and
 * a Platform, synthesized to Terraform JSON, plus lookups that read the JSON like a reviewer would.
 *
 * The construct tests replace the esbuild bundler with `fakeBundler()` (a one-line zip): they assert
 * what the constructs deploy, not the handlers (bundling is NodeFunction's own test; the whole-stack
 * test in this folder bundles the real handlers).
 */
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Testing, TerraformStack, type App } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { zipSync, strToU8 } from "fflate";
import { Platform } from "../../../modules/platform";
import { applyPlatformAspects } from "../../../modules/aspects";

export const ACCOUNT = "111122223333";
export const HOME = "eu-west-1";
export const ALERT_TOPIC = `arn:aws:sns:${HOME}:${ACCOUNT}:tw-alerts`;

/** A bundler module with the real `bundleHandler` signature that zips a stub and records the entries asked for. */
export function fakeBundler() {
  const dir = mkdtempSync(join(tmpdir(), "tw-fake-bundle-"));
  const entries: string[] = [];
  const zip = zipSync({ "index.js": strToU8("exports.handler = async () => ({});\n") }, { mtime: new Date("1980-01-01T00:00:00Z") });
  const zipPath = join(dir, "stub.zip");
  writeFileSync(zipPath, zip);
  const sha256Base64 = createHash("sha256").update(zip).digest("base64");
  return {
    entries,
    REPO_ROOT: join(__dirname, "../../.."),
    buildBundles: async () => [],
    bundleHandler: (entry: string) => {
      entries.push(entry);
      return { entry, zipPath, sha256Base64, jsBytes: 36, zipBytes: zip.length, buildMs: 0 };
    },
  };
}

/**
 * A stack with the default (home-region) provider, the Platform every trailwatch construct needs and
 * the platform aspects (tags, encryption, policy checks), as infra/main.ts builds it.
 */
export function platformStack(app: App = Testing.app(), id = "test"): TerraformStack {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, "aws", { region: HOME });
  new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: HOME, logRetentionDays: 90, tags: { project: "trailwatch" } });
  applyPlatformAspects(stack);
  return stack;
}

/** Synthesized Terraform JSON of a stack (aspects run). */
export type Tf = { resource: Record<string, Record<string, any>>; data?: Record<string, Record<string, any>>; provider?: Record<string, any[]> };

/** Synthesizes (aspects run); throws with the messages when an aspect or construct annotated an error. */
export function synth(stack: TerraformStack): Tf {
  const json = JSON.parse(Testing.synth(stack)) as Tf;
  const errors = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === "@cdktf/error").map((m) => `${c.node.path}: ${String(m.data)}`));
  if (errors.length > 0) throw new Error(`synth reported errors:\n- ${errors.join("\n- ")}`);
  return json;
}

/** All resources of one type, as [logical id, config] pairs. */
export function resourcesOf(tf: Tf, type: string): [string, any][] {
  return Object.entries(tf.resource[type] ?? {});
}

/** The one resource of `type` whose config satisfies `where`; throws with the candidates otherwise. */
export function findResource(tf: Tf, type: string, where: (r: any) => boolean): any {
  const hits = resourcesOf(tf, type).filter(([, r]) => where(r));
  if (hits.length !== 1) throw new Error(`expected exactly one ${type} matching, got ${hits.length} (of ${resourcesOf(tf, type).length})`);
  return hits[0]![1];
}

/** Resolves `${data.aws_iam_policy_document.<id>.json}` to that document's statements. */
export function statementsOf(tf: Tf, policyRef: string): any[] {
  const m = /^\$\{data\.aws_iam_policy_document\.([^.]+)\.json\}$/.exec(policyRef);
  if (!m) throw new Error(`not a policy document reference: ${policyRef}`);
  const doc = tf.data?.aws_iam_policy_document?.[m[1]!];
  if (!doc) throw new Error(`no aws_iam_policy_document ${m[1]}`);
  return doc.statement as any[];
}

/** `${aws_x.id.attr}` for the resource of `type` whose config satisfies `where`. */
export function refTo(tf: Tf, type: string, where: (r: any) => boolean, attr: string): string {
  const hits = resourcesOf(tf, type).filter(([, r]) => where(r));
  if (hits.length !== 1) throw new Error(`expected exactly one ${type} matching, got ${hits.length}`);
  return `\${${type}.${hits[0]![0]}.${attr}}`;
}

/** The statements of the inline policy of the role of the Lambda function named `functionName`. */
export function functionStatements(tf: Tf, functionName: string): any[] {
  const fn = findResource(tf, "aws_lambda_function", (r) => r.function_name === functionName);
  const roleId = /^\$\{aws_iam_role\.([^.]+)\.arn\}$/.exec(fn.role)![1]!;
  const policy = findResource(tf, "aws_iam_role_policy", (r) => r.role === `\${aws_iam_role.${roleId}.id}`);
  return statementsOf(tf, policy.policy);
}

/** Every action a function's role may take, each with its resources. */
export function grants(tf: Tf, functionName: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of functionStatements(tf, functionName)) {
    for (const a of s.actions as string[]) out.set(a, [...(out.get(a) ?? []), ...(s.resources as string[])]);
  }
  return out;
}
