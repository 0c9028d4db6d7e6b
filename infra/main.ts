/**
 * The cdktf app: `npm run synth` (or `cdktf synth`) reads one deployment config and writes plain
 * Terraform JSON to cdktf.out/stacks/<namePrefix>/.
 *
 * Config: `--config <file>`, else $TRAILWATCH_CONFIG, else infra/config/example.json.
 */
import { App } from "cdktf";
import { ConfigError, configPath, loadConfig } from "./config/load";
import { TrailwatchStack } from "./stacks/trailwatch-stack";

function main(): void {
  const file = configPath(process.argv.slice(2), process.env);
  const config = loadConfig(file);
  const app = new App();
  const stack = new TrailwatchStack(app, config);
  app.synth();
  process.stdout.write(`trailwatch: synthesized stack "${stack.node.id}" from ${file} into ${app.outdir}/stacks/${stack.node.id}\n`);
}

try {
  main();
} catch (err) {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  throw err;
}
