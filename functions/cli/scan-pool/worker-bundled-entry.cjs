// Starts the bundled scan worker (see worker-bundle.ts), whose path is the worker's last argument.
// A rules folder holds TypeScript files the worker loads with `require`: only then is tsx's hook needed.
const { workerData } = require("node:worker_threads");
if (workerData && workerData.ruleSet && workerData.ruleSet.rulesDir) require("tsx/cjs/api").register();
require(process.argv[process.argv.length - 1]);
