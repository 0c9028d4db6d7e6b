// Starts a scan worker from the TypeScript sources (as `npx trailwatch` runs them, and under jest):
// tsx's require hook compiles them on load. The worker code uses static imports only, so the CommonJS
// hook is enough in the worker thread.
require("tsx/cjs/api").register();
require("./worker.ts");
