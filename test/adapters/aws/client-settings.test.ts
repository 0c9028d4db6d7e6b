import { createServer, type Server } from "node:http";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isTransientAwsError } from "../../../functions/adapters/aws/aws-error";
import { cliClientSettings, clientSettings } from "../../../functions/adapters/aws/client-settings";
import { listenOnLoopback } from "../../support/loopback";

describe("clientSettings", () => {
  let server: Server;
  let endpoint: string;
  beforeAll(async () => {
    // Accepts requests and never answers.
    server = createServer(() => undefined);
    endpoint = await listenOnLoopback(server);
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((ok) => server.close(ok));
  });

  it("makes a call that gets no answer fail after requestTimeout instead of hanging (the SDK only warns unless told to throw)", async () => {
    // Prepare: the settings every handler uses, with a short timeout for the test.
    const s = clientSettings({ region: "us-east-1", maxAttempts: 1 });
    const client = new DynamoDBClient({ ...clientSettings({ region: "us-east-1", maxAttempts: 1, requestTimeoutMs: 300 }), endpoint, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const started = Date.now();
    // Act
    const err = await client.send(new DescribeTableCommand({ TableName: "t" })).catch((e: unknown) => e as Error);
    client.destroy();
    // Assess
    expect(s.requestHandler).toEqual({ connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("TimeoutError");
    expect(isTransientAwsError(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("gives Lambda clients the environment's region and refuses to guess one", () => {
    // Prepare
    const saved = { r: process.env.AWS_REGION, d: process.env.AWS_DEFAULT_REGION };
    try {
      process.env.AWS_REGION = "eu-west-1";
      // Act / Assess
      expect(clientSettings()).toEqual({ region: "eu-west-1", maxAttempts: 4, retryMode: "standard", requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true } });
      expect(clientSettings({ region: "us-east-2", maxAttempts: 2, requestTimeoutMs: 70_000 })).toMatchObject({ region: "us-east-2", maxAttempts: 2, requestHandler: { requestTimeout: 70_000 } });
      delete process.env.AWS_REGION;
      delete process.env.AWS_DEFAULT_REGION;
      expect(() => clientSettings()).toThrow("no AWS region: set AWS_REGION (Lambda sets it) or pass one");
    } finally {
      process.env.AWS_REGION = saved.r;
      if (saved.d === undefined) delete process.env.AWS_DEFAULT_REGION;
      else process.env.AWS_DEFAULT_REGION = saved.d;
    }
  });

  it("gives CLI clients the same timeouts, five attempts, the profile, and leaves the region to the SDK unless given", () => {
    expect(cliClientSettings({})).toEqual({ maxAttempts: 5, retryMode: "standard", requestHandler: { connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true } });
    expect(cliClientSettings({ profile: "audit", region: "eu-west-1", maxAttempts: 2 })).toMatchObject({ profile: "audit", region: "eu-west-1", maxAttempts: 2 });
  });
});

/** Every TypeScript file under `dir`. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith(".ts") ? [join(dir, d.name)] : []));
}

describe("SDK clients in functions/ and scripts/", () => {
  it("are all built from the shared settings (no client without timeouts and retry settings)", () => {
    // Prepare: SDK client classes each file imports, and how it constructs them. Benchmarks against
    // local servers (scripts/bench) build their own clients.
    const root = join(__dirname, "../../..");
    const files = [...sources(join(root, "functions")), ...sources(join(root, "scripts"))].filter((f) => !f.includes(`${join("scripts", "bench")}`));
    const offenders: string[] = [];
    // Act
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      const classes = [...text.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-[a-z-]+"/g)].flatMap((m) => m[1]!.split(",").map((x) => x.trim().replace(/^type\s+/, "")).filter((x) => /Client$/.test(x)));
      for (const c of classes) {
        for (const m of text.matchAll(new RegExp(`new ${c}\\(([\\s\\S]{0,40})`, "g"))) {
          const arg = m[1]!.trimStart();
          // Allowed: the settings themselves (a call or a variable holding them) or an object spreading them first.
          const ok = /^(clientSettings|cliClientSettings)\(/.test(arg) || /^[a-z][A-Za-z]*(\(\)|!)?[),]/.test(arg) || /^\{\s*\.\.\.\s*(clientSettings|cliClientSettings|settings|base)\b/.test(arg);
          if (!ok) offenders.push(`${file.slice(root.length + 1)}: new ${c}(${arg.split("\n")[0]}`);
        }
      }
    }
    // Assess
    expect(offenders).toEqual([]);
  });
});
