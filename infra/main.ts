/**
 * The cdktf app: `npm run synth` (or `cdktf synth`) reads one deployment config, bundles the Lambda
 * handlers (esbuild, asynchronous: cdktf constructs are synchronous and read the built bundles; the
 * log analyzer with the deployment's rules embedded, see modules/platform/rules-entry.ts) and
 * writes plain Terraform JSON to cdktf.out/stacks/<namePrefix>/.
 *
 * Config: `--config <file>`, else $TRAILWATCH_CONFIG, else infra/config/example.json.
 */
import { App } from "cdktf";
import { buildBundles } from "../modules/lambda-function/bundle";
import { buildStackBundles } from "../modules/lambda-function/handler-entries";
import { analyzerEntry, huntScanEntry } from "../modules/platform/rules-entry";
import { ConfigError, configPath, loadConfig } from "./config/load";
import { enabled } from "./config/schema";
import { TrailwatchStack } from "./stacks/trailwatch-stack";

async function main(): Promise<void> {
  const file = configPath(process.argv.slice(2), process.env);
  const config = loadConfig(file);
  await buildStackBundles();
  // With a tuning or rules of your own, the log analyzer and the retro-hunt scan are bundled from entries that embed them.
  await buildBundles([
    ...(enabled(config, "logAnalyzer") ? [analyzerEntry(config.rules)] : []),
    ...(enabled(config, "retroHunt") ? [huntScanEntry(config.rules)] : []),
  ]);
  const app = new App();
  const stack = new TrailwatchStack(app, config);
  app.synth();
  process.stdout.write(`trailwatch: synthesized stack "${stack.node.id}" from ${file} into ${app.outdir}/stacks/${stack.node.id}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
});
