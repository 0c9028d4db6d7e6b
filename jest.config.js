/** Jest runs TypeScript through SWC (fast, no type-check; `npm run typecheck` does that, and `npm test` runs it first). */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.(t|j)sx?$": ["@swc/jest", { jsc: { target: "es2022" } }] },
  globalSetup: "<rootDir>/test/global-setup.ts",
  setupFilesAfterEnv: ["<rootDir>/test/setup.ts"],
  testTimeout: 120000,
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
};
