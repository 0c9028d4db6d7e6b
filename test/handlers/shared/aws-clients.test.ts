import { createServer, type Server } from "node:http";
import { DescribeTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { clientSettings } from "../../../functions/handlers/shared/aws-clients";
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
    const client = new DynamoDBClient({ ...s, requestHandler: { ...s.requestHandler, requestTimeout: 300 }, endpoint, credentials: { accessKeyId: "a", secretAccessKey: "b" } });
    const started = Date.now();
    // Act
    const err = await client.send(new DescribeTableCommand({ TableName: "t" })).catch((e: unknown) => e as Error);
    client.destroy();
    // Assess
    expect(s.requestHandler).toEqual({ connectionTimeout: 3_000, requestTimeout: 30_000, throwOnRequestTimeout: true });
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe("TimeoutError");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
