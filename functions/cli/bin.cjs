#!/usr/bin/env node
// Entry point of the `trailwatch` command. tsx compiles the TypeScript sources on load (about 0.3 s
// once), so `npx trailwatch` works straight after `npm ci` with no build step.
require("tsx/cjs/api").register();
require("./main.ts")
  .main(process.argv)
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    process.stderr.write(`trailwatch: ${err && err.message ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
