import { createServer, type Server } from "node:http";
import { DynamoDBClient, UpdateItemCommand, type UpdateItemCommandInput } from "@aws-sdk/client-dynamodb";
import { DynamoDbHttpClient } from "../../../functions/adapters/aws/dynamodb-http";
import { AwsHttpError } from "../../../functions/adapters/aws/signed-http";
import { dynaliteClientConfig, startDynalite, type LocalDynamo } from "../../support/dynalite";
import { listenOnLoopback } from "../../support/loopback";
import { sigV4Problem } from "../../support/sigv4-verifier";

const TABLE = "trailwatch-items";

const claim = (pk: string): UpdateItemCommandInput => ({
  TableName: TABLE,
  Key: { pk: { S: pk } },
  UpdateExpression: "SET #s = :s, #n = :n ADD #ids :ids",
  ConditionExpression: "attribute_not_exists(pk)",
  ExpressionAttributeNames: { "#s": "status", "#n": "count", "#ids": "sent" },
  ExpressionAttributeValues: { ":s": { S: "in-progress" }, ":n": { N: "3" }, ":ids": { SS: ["a", "b"] } },
  ReturnValues: "ALL_OLD",
});

describe("DynamoDbHttpClient against dynalite", () => {
  let db: LocalDynamo;
  let items: DynamoDbHttpClient;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(TABLE);
    items = new DynamoDbHttpClient(dynaliteClientConfig(db.endpoint));
  });
  afterAll(async () => {
    items?.destroy();
    await db?.stop();
  });

  it("writes with UpdateItem and reads the item back with GetItem, attribute values as the SDK gives them", async () => {
    // Act
    const before = await items.updateItem(claim("k1"));
    const got = await items.getItem({ TableName: TABLE, Key: { pk: { S: "k1" } }, ConsistentRead: true });
    // Assess
    expect(before.Attributes).toBeUndefined();
    expect(got.Item).toEqual({ pk: { S: "k1" }, status: { S: "in-progress" }, count: { N: "3" }, sent: { SS: ["a", "b"] } });
  });

  it("names a failed condition and a missing table with DynamoDB's error codes", async () => {
    // Prepare
    await items.updateItem(claim("k2"));
    // Act
    const conflict = await items.updateItem(claim("k2")).catch((e: unknown) => e);
    const missing = await items.getItem({ TableName: "no-such-table", Key: { pk: { S: "x" } } }).catch((e: unknown) => e);
    // Assess
    expect(conflict).toBeInstanceOf(AwsHttpError);
    expect((conflict as AwsHttpError).name).toBe("ConditionalCheckFailedException");
    expect((conflict as AwsHttpError).$metadata.httpStatusCode).toBe(400);
    expect((missing as AwsHttpError).name).toBe("ResourceNotFoundException");
  });
});

describe("DynamoDbHttpClient on the wire", () => {
  let server: Server;
  let endpoint: string;
  let seen: { target?: string; type?: string; body: string; problem?: string }[] = [];
  let failNext = 0;
  const credentials = { accessKeyId: "AKIDTEST", secretAccessKey: "secret" };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        void (async () => {
          const body = Buffer.concat(chunks);
          const problem = await sigV4Problem({ method: req.method!, url: req.url!, headers: req.headers, body }, { service: "dynamodb", region: "eu-west-1", credentials });
          seen.push({ target: req.headers["x-amz-target"] as string, type: req.headers["content-type"], body: body.toString("utf8"), ...(problem ? { problem } : {}) });
          if (failNext > 0) {
            failNext--;
            res.writeHead(400, { "content-type": "application/x-amz-json-1.0" }).end('{"__type":"com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException","message":"slow down"}');
            return;
          }
          res.writeHead(200, { "content-type": "application/x-amz-json-1.0" }).end("{}");
        })();
      });
    });
    endpoint = await listenOnLoopback(server);
  });
  afterAll(async () => {
    await new Promise((ok) => server.close(ok));
  });
  beforeEach(() => {
    seen = [];
    failNext = 0;
  });

  it("sends the operation as the SDK client does (same target, content type and JSON body), signed for dynamodb", async () => {
    // Prepare
    const sdk = new DynamoDBClient({ region: "eu-west-1", endpoint, credentials, maxAttempts: 1 });
    const ours = new DynamoDbHttpClient({ region: "eu-west-1", endpoint, credentials, maxAttempts: 1 });
    // Act
    await sdk.send(new UpdateItemCommand(claim("k")));
    await ours.updateItem(claim("k"));
    sdk.destroy();
    ours.destroy();
    // Assess
    const [bySdk, byUs] = seen;
    expect(byUs!.problem).toBeUndefined();
    expect([byUs!.target, byUs!.type]).toEqual([bySdk!.target, bySdk!.type]);
    expect(JSON.parse(byUs!.body)).toEqual(JSON.parse(bySdk!.body));
    expect(byUs!.target).toBe("DynamoDB_20120810.UpdateItem");
  });

  it("retries throttling (ProvisionedThroughputExceededException), then succeeds", async () => {
    // Prepare
    const ours = new DynamoDbHttpClient({ region: "eu-west-1", endpoint, credentials, maxAttempts: 3 });
    failNext = 1;
    // Act
    const out = await ours.getItem({ TableName: TABLE, Key: { pk: { S: "k" } } });
    ours.destroy();
    // Assess
    expect(out).toEqual({});
    expect(seen).toHaveLength(2);
  });
});
