import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { esbuildOptions, REPO_ROOT } from "../../../modules/lambda-function/bundle";
import { literalSchemaKeys, sdkSizePlugin, trimmedPackageJson } from "../../../modules/lambda-function/sdk-size";
import { listenOnLoopback } from "../../support/loopback";

describe("literalSchemaKeys", () => {
  it("writes a module constant into a computed key in object-literal position", () => {
    const src = ['const _xN = "xmlName";', 'const _eQN = "ec2QueryName";', "export var A$ = [3, n0, _A, 0, [_a], [[0, { [_eQN]: `Min`,", "                [_xN]: _m }]]];"].join("\n");

    const out = literalSchemaKeys(src);

    expect(out).toContain("{ ec2QueryName: `Min`,");
    expect(out).toContain("xmlName: _m }");
    expect(out).not.toMatch(/\[_(xN|eQN)\]/);
  });

  it("quotes a constant that is not an identifier, and leaves unknown names, array elements and twice-declared names alone", () => {
    const src = ['const _h = "x-amz-meta";', 'const _d = "a";', 'const _d = "b";', "var X = [{ [_h]: 1 }, { [_unknown]: 2 }, [_h], { [_d]: 3 }];"].join("\n");

    const out = literalSchemaKeys(src);

    expect(out).toContain('{ "x-amz-meta": 1 }');
    expect(out).toContain("{ [_unknown]: 2 }");
    expect(out).toContain(", [_h],");
    expect(out).toContain("{ [_d]: 3 }");
  });

  it("leaves __proto__-like keys computed: a literal __proto__ would set the prototype instead of a property", () => {
    const src = ['const _p = "__proto__";', 'const _c = "constructor";', 'const _t = "prototype";', 'const _x = "xmlName";', "var A = { [_p]: { polluted: true }, [_c]: 2, [_t]: 3, [_x]: 4 };"].join("\n");

    const out = literalSchemaKeys(src);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- evaluates the transformed source to read the object it builds
    const a = new Function(`${out}; return A;`)() as Record<string, unknown>;

    expect(out).toContain("var A = { [_p]: { polluted: true }, [_c]: 2, [_t]: 3, xmlName: 4 };");
    expect([Object.getPrototypeOf(a), Object.keys(a)]).toEqual([Object.prototype, ["__proto__", "constructor", "prototype", "xmlName"]]);
  });
});

describe("the SDK schema-key rewrite (a backport of the fix for aws/aws-sdk-js-v3#7607)", () => {
  /** The clients the deployed functions bundle. */
  const CLIENTS = ["athena", "cloudtrail", "dynamodb", "ec2", "iam", "lambda", "organizations", "s3", "sagemaker-runtime", "secrets-manager", "sns", "sqs", "ssm", "sts"];

  it("still changes the installed SDK's schema modules; when this fails, upstream writes plain keys: delete literalSchemaKeys from sdk-size.ts", () => {
    // Act
    const unchanged = CLIENTS.filter((c) => {
      const path = require.resolve(`@aws-sdk/client-${c}/dist-es/schemas/schemas_0.js`, { paths: [REPO_ROOT] });
      const source = readFileSync(path, "utf8");
      return literalSchemaKeys(source) === source;
    });

    // Assess
    expect(unchanged).toEqual([]);
  });
});

describe("trimmedPackageJson", () => {
  it("keeps name and version only, and names the file when the JSON is bad", () => {
    expect(JSON.parse(trimmedPackageJson('{"name":"@aws-sdk/client-s3","version":"3.1.0","description":"long","dependencies":{"a":"1"}}', "p.json"))).toEqual({
      name: "@aws-sdk/client-s3",
      version: "3.1.0",
    });
    expect(() => trimmedPackageJson("{", "/x/package.json")).toThrow(/\/x\/package\.json: not valid JSON/);
  });
});

/** One request as the capturing server saw it (what differs between runs, time and signature, left out). */
interface Captured {
  method: string;
  url: string;
  headers: Record<string, string | undefined>;
  body: string;
}

const XML = "text/xml";
/** Canned answers, keyed by what the request asks for; each uses members whose wire names differ from their SDK names. */
function answer(req: Captured): { status: number; type: string; body: string; headers?: Record<string, string> } {
  const target = req.headers["x-amz-target"] ?? "";
  if (target === "AmazonSQS.SendMessageBatch")
    return { status: 200, type: "application/x-amz-json-1.0", body: '{"Successful":[{"Id":"a","MessageId":"m-1","MD5OfMessageBody":"9dd4e461268c8034f5c8564e155c67a6"}],"Failed":[]}' };
  if (req.url === "/2015-03-31/functions/tw-remediator/invocations")
    return { status: 200, type: "application/json", body: '{"errorType":"Error","errorMessage":"boom"}', headers: { "x-amz-function-error": "Unhandled", "x-amz-executed-version": "$LATEST" } };
  if (req.url === "/2015-03-31/functions/missing/invocations")
    return { status: 404, type: "application/json", body: '{"Type":"User","message":"Function not found: missing"}', headers: { "x-amzn-errortype": "ResourceNotFoundException" } };
  if (target.endsWith(".GetTrailStatus")) return { status: 200, type: "application/x-amz-json-1.1", body: '{"IsLogging":false,"LatestDeliveryError":"AccessDenied","LatestDeliveryTime":1.7E9}' };
  if (target.endsWith(".PutItem"))
    return { status: 400, type: "application/x-amz-json-1.0", body: '{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}' };
  if (/^\/logs\/?\?publicAccessBlock/.test(req.url) && req.method === "PUT") return { status: 200, type: XML, body: "" };
  if (/^\/logs\/?\?publicAccessBlock/.test(req.url))
    return {
      status: 200,
      type: XML,
      body: '<PublicAccessBlockConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><BlockPublicAcls>true</BlockPublicAcls><IgnorePublicAcls>false</IgnorePublicAcls><BlockPublicPolicy>true</BlockPublicPolicy><RestrictPublicBuckets>false</RestrictPublicBuckets></PublicAccessBlockConfiguration>',
    };
  const action = new URLSearchParams(req.body).get("Action");
  if (action === "RevokeSecurityGroupIngress" && req.body.includes("sg-missing"))
    return { status: 400, type: XML, body: "<Response><Errors><Error><Code>InvalidGroup.NotFound</Code><Message>The security group 'sg-missing' does not exist</Message></Error></Errors><RequestID>r-2</RequestID></Response>" };
  const rule = "<securityGroupRuleId>sgr-1</securityGroupRuleId><groupId>sg-1</groupId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol><fromPort>22</fromPort><toPort>22</toPort><cidrIpv4>0.0.0.0/0</cidrIpv4>";
  if (action === "RevokeSecurityGroupIngress")
    return { status: 200, type: XML, body: `<RevokeSecurityGroupIngressResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><return>true</return><revokedSecurityGroupRuleSet><item>${rule}</item></revokedSecurityGroupRuleSet></RevokeSecurityGroupIngressResponse>` };
  if (action === "DescribeSecurityGroupRules")
    return { status: 200, type: XML, body: `<DescribeSecurityGroupRulesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-3</requestId><securityGroupRuleSet><item>${rule}<tagSet><item><key>team</key><value>ci</value></item></tagSet></item></securityGroupRuleSet><nextToken>n-2</nextToken></DescribeSecurityGroupRulesResponse>` };
  if (action === "DetachRolePolicy") return { status: 200, type: XML, body: '<DetachRolePolicyResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r-4</RequestId></ResponseMetadata></DetachRolePolicyResponse>' };
  if (action === "Publish") return { status: 200, type: XML, body: '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-5</RequestId></ResponseMetadata></PublishResponse>' };
  return { status: 500, type: "text/plain", body: `the test server has no answer for ${req.method} ${req.url} ${target} ${action}` };
}

const COMPARED_HEADERS = ["content-type", "content-length", "content-md5", "x-amz-target", "x-amz-invocation-type", "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm", "user-agent", "x-amz-user-agent"];

describe("Lambda bundles with the SDK size rewrites", () => {
  let server: Server;
  let endpoint: string;
  let requests: Captured[] = [];
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "trailwatch-sdk-size-"));
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const headers: Record<string, string | undefined> = {};
        for (const h of COMPARED_HEADERS) headers[h] = req.headers[h] as string | undefined;
        const captured: Captured = { method: req.method!, url: req.url!, headers, body: Buffer.concat(chunks).toString("utf8") };
        requests.push(captured);
        const a = answer(captured);
        res.writeHead(a.status, { "content-type": a.type, "x-amzn-requestid": "req-1", ...a.headers }).end(a.body);
      });
    });
    endpoint = await listenOnLoopback(server);
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(js: Uint8Array, name: string): Promise<{ out: unknown; requests: Captured[] }> {
    const file = join(dir, `${name}.js`);
    writeFileSync(file, js);
    requests = [];
    const { stdout } = await promisify(execFile)(process.execPath, [file], { env: { ...process.env, ENDPOINT: endpoint } });
    return { out: JSON.parse(stdout), requests };
  }

  it("send the same requests and parse the same answers as the plain bundle, from a much smaller file", async () => {
    // Prepare
    const options = esbuildOptions(resolve(REPO_ROOT, "test/fixtures/sdk-size/sdk-calls.ts"));
    const plain = (await build(options)).outputFiles.find((f) => f.path.endsWith("index.js"))!.contents;
    const rewritten = (await build({ ...options, plugins: [sdkSizePlugin()] })).outputFiles.find((f) => f.path.endsWith("index.js"))!.contents;

    // Act
    const before = await run(plain, "plain");
    const after = await run(rewritten, "rewritten");

    // Assess
    expect(after.requests).toHaveLength(12);
    expect(after.requests).toEqual(before.requests);
    expect(after.out).toEqual(before.out);
    const [revoked, described, missing, , , pab, trail, , put, invoked, noFunction, batch] = after.out as Record<string, unknown>[];
    expect(before.requests[0]!.body).toContain("SecurityGroupRuleId.1=sgr-1&SecurityGroupRuleId.2=sgr-2");
    expect(revoked).toMatchObject({ Return: true, RevokedSecurityGroupRules: [{ SecurityGroupRuleId: "sgr-1", CidrIpv4: "0.0.0.0/0", FromPort: 22 }] });
    expect(described).toMatchObject({ NextToken: "n-2", SecurityGroupRules: [{ Tags: [{ Key: "team", Value: "ci" }] }] });
    expect(missing).toMatchObject({ error: "InvalidGroup.NotFound" });
    expect(pab).toMatchObject({ PublicAccessBlockConfiguration: { BlockPublicAcls: true, IgnorePublicAcls: false } });
    expect(trail).toMatchObject({ IsLogging: false, LatestDeliveryError: "AccessDenied" });
    expect(put).toMatchObject({ error: "ConditionalCheckFailedException" });
    expect(invoked).toMatchObject({ StatusCode: 200, FunctionError: "Unhandled", ExecutedVersion: "$LATEST", Payload: '{"errorType":"Error","errorMessage":"boom"}' });
    expect(noFunction).toMatchObject({ error: "ResourceNotFoundException" });
    expect(batch).toMatchObject({ Successful: [{ Id: "a", MessageId: "m-1" }], Failed: [] });
    expect(after.requests.find((r) => r.method === "PUT")!.headers["user-agent"]).toMatch(/api\/s3#3\.\d+/);
    expect(rewritten.byteLength).toBeLessThan(plain.byteLength * 0.6);
  }, 60_000);
});
