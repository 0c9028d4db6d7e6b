import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { unzipSync } from "fflate";
import { buildBundles, bundleHandler } from "../../../modules/lambda-function";

beforeAll(() => buildBundles(["test/fixtures/handlers/credentials.ts"]));

/** Runs the bundled fixture in a fresh node, with only the environment Lambda would give it. */
function runBundled(env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const bundle = bundleHandler("test/fixtures/handlers/credentials.ts");
  const dir = mkdtempSync(join(tmpdir(), "tw-creds-"));
  try {
    writeFileSync(join(dir, "index.js"), Buffer.from(unzipSync(readFileSync(bundle.zipPath))["index.js"]!));
    const script = `require(${JSON.stringify(join(dir, "index.js"))}).handler().then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e.message); process.exit(3); })`;
    const r = spawnSync(process.execPath, ["-e", script], { encoding: "utf8", env: { PATH: process.env.PATH ?? "", HOME: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env } });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("credentials inside a Lambda bundle", () => {
  it("come from the environment Lambda sets, without the rest of the default chain in the bundle", () => {
    // Act
    const r = runBundled({ AWS_ACCESS_KEY_ID: "ASIAFROMLAMBDAENV123", AWS_SECRET_ACCESS_KEY: "x", AWS_SESSION_TOKEN: "t" });
    // Assess
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ accessKeyId: "ASIAFROMLAMBDAENV123", hasSessionToken: true });
    const js = Buffer.from(unzipSync(readFileSync(bundleHandler("test/fixtures/handlers/credentials.ts").zipPath))["index.js"]!).toString();
    expect(js).not.toContain("AWS_WEB_IDENTITY_TOKEN_FILE");
  });

  it("fail with the SDK's clear message when the environment has none", () => {
    const r = runBundled({});
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/credentials/i);
  });
});
