import type { Server } from "node:net";
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { clientPool } from "./client-pool";
import { listenOnLoopback } from "./loopback";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (opts: { createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }) => Server;

/** A running dynalite (in-memory DynamoDB) and a client configured for it. */
export interface LocalDynamo {
  endpoint: string;
  client: DynamoDBClient;
  /** A fresh client for the same server. */
  makeClient(): DynamoDBClient;
  /** Creates a table with a string partition key (`pk` unless told) and on-demand billing. */
  createTable(name: string, opts?: { partitionKey?: string; sortKey?: string }): Promise<void>;
  stop(): Promise<void>;
}

/** Options every DynamoDB client pointed at dynalite needs. */
export function dynaliteClientConfig(endpoint: string) {
  return {
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "DYNALITE", secretAccessKey: "DYNALITE" },
    maxAttempts: 1,
  };
}

/**
 * Starts dynalite in memory on 127.0.0.1 with an ephemeral port; tables are ACTIVE at once.
 * dynalite has no transactions and no UpdateTimeToLive: code under test must not need them.
 */
export async function startDynalite(): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // The server runs in the test's own process: when code under test holds the event loop for more
  // than Node's default 5 s keep-alive (reading a decompression bomb on a loaded machine), the server
  // would close an idle connection just as the client reuses it (ECONNRESET). AWS keeps them longer.
  (server as unknown as { keepAliveTimeout: number }).keepAliveTimeout = 120_000;
  const endpoint = await listenOnLoopback(server);
  const { client, makeClient, destroyAll } = clientPool(() => new DynamoDBClient(dynaliteClientConfig(endpoint)));
  return {
    endpoint,
    client,
    makeClient,
    async createTable(name, opts = {}) {
      const pk = opts.partitionKey ?? "pk";
      const input: CreateTableCommandInput = {
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: pk, AttributeType: "S" }],
        KeySchema: [{ AttributeName: pk, KeyType: "HASH" }],
      };
      if (opts.sortKey) {
        input.AttributeDefinitions!.push({ AttributeName: opts.sortKey, AttributeType: "S" });
        input.KeySchema!.push({ AttributeName: opts.sortKey, KeyType: "RANGE" });
      }
      await client.send(new CreateTableCommand(input));
    },
    async stop() {
      destroyAll();
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
