#!/usr/bin/env node
// Entry point of the `trailwatch` command. tsx compiles the TypeScript sources on load (about 0.3 s
// once), so `npx trailwatch` works straight after `npm ci` with no build step.
// tsx's loader is imported (what `node --import tsx` does) rather than only its CommonJS hook:
// main.ts loads commands with dynamic `import()`, which goes through Node's ESM loader and needs
// tsx's ESM hooks to resolve extensionless .ts paths.
const { pathToFileURL } = require("node:url");
import(pathToFileURL(require.resolve("tsx")).href)
  .then(() => require("./main.ts").main(process.argv))
  .then((code) => {
    process.exitCode = code;
  })
  .catch((err) => {
    // The message may quote a file name or a record: control and format characters are written out.
    const text = String(err && err.message ? err.message : err).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => `\\u{${c.codePointAt(0).toString(16)}}`);
    process.stderr.write(`trailwatch: ${text}\n`);
    process.exitCode = 1;
  });
