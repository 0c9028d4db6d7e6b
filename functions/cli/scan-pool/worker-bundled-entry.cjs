// Starts the bundled scan worker (see worker-bundle.ts), whose path is the worker's last argument.
// A rules folder (given with --rules-dir or named by the settings file) holds TypeScript files the
// worker loads with `require`: only with a rule set is tsx's hook needed.
const { workerData } = require("node:worker_threads");
if (workerData && workerData.ruleSet) require("tsx/cjs/api").register();
require(process.argv[process.argv.length - 1]);
