import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo, Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

// Neither package ships types.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const S3rver = require("s3rver") as new (opts: Record<string, unknown>) => { run(): Promise<{ port: number }>; close(): Promise<void>; httpServer?: { closeAllConnections(): void } };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require("dynalite") as (opts: Record<string, number>) => Server;

// s3rver accepts only its own key pair; dynalite accepts any.
const CREDENTIALS = { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" };

/** s3rver and dynalite on 127.0.0.1 (ephemeral ports), run by the benchmark's parent process. */
export interface LocalAws {
  s3Endpoint: string;
  dynamoEndpoint: string;
  putObject(bucket: string, key: string, body: Buffer): Promise<void>;
  stop(): Promise<void>;
}

/** Starts s3rver (with `bucket`) and dynalite (with `table`, partition key `pk`), loopback only. */
export async function startLocalAws(bucket: string, table: string): Promise<LocalAws> {
  const directory = await mkdtemp(join(tmpdir(), "trailwatch-bench-s3rver-"));
  const s3rver = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
  const { port: s3Port } = await s3rver.run();
  const s3Endpoint = `http://127.0.0.1:${s3Port}`;

  const db = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    db.once("error", reject);
    db.listen(0, "127.0.0.1", () => resolve());
  });
  const dynamoEndpoint = `http://127.0.0.1:${(db.address() as AddressInfo).port}`;

  // TOOLCHAIN.md: path style, and checksums only when required (s3rver stores aws-chunked bodies as they come).
  const s3 = new S3Client({ endpoint: s3Endpoint, region: "us-east-1", forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED", credentials: CREDENTIALS });
  const ddb = new DynamoDBClient({ endpoint: dynamoEndpoint, region: "us-east-1", credentials: CREDENTIALS });
  await ddb.send(new CreateTableCommand({
    TableName: table,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  }));

  return {
    s3Endpoint,
    dynamoEndpoint,
    async putObject(b, key, body) {
      await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: body }));
    },
    async stop() {
      s3.destroy();
      ddb.destroy();
      s3rver.httpServer?.closeAllConnections();
      await s3rver.close();
      (db as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await new Promise<void>((resolve) => db.close(() => resolve()));
      await rm(directory, { recursive: true, force: true });
    },
  };
}
