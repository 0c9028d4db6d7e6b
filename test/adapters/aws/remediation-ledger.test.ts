import { GetItemCommand } from "@aws-sdk/client-dynamodb";
import { DynamoRemediationLedger, ledgerKey } from "../../../functions/adapters/aws/remediation";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const T0 = new Date("2026-11-23T11:00:00Z");
const KEEP = new Date("2026-11-24T12:00:00Z");
const info = (source = "s3://b/AWSLogs/111122223333/CloudTrail/us-east-1/a.json.gz") => ({ source, action: "iam.detach-admin-policy", keepUntil: KEEP });

let db: LocalDynamo;
let n = 0;
let table: string;

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db?.stop();
});
beforeEach(async () => {
  table = `ledger-${++n}`;
  await db.createTable(table);
});

const ledger = (now = T0) => new DynamoRemediationLedger(db.client, table, { now: () => now, lockSeconds: 180 });

describe("DynamoRemediationLedger (dynalite)", () => {
  it("lets one caller claim an event, tells the next who has it, and keeps the outcome once completed", async () => {
    // Act
    const first = await ledger().claim("e-1", info());
    const busy = await ledger().claim("e-1", info("s3://b/copy.json.gz"));
    const completed = first.status === "claimed" && (await ledger().complete("e-1", first.token, { status: "succeeded", detail: "detached", checks: { verifiedBy: "lookup-events", done: "detached" } }));
    const after = await ledger().claim("e-1", info("s3://b/copy.json.gz"));
    // Assess
    expect(first.status).toBe("claimed");
    expect(busy).toEqual({ status: "taken", entry: { eventId: "e-1", state: "in-progress", source: info().source, action: "iam.detach-admin-policy", claimedAt: T0.toISOString() } });
    expect(completed).toBe(true);
    expect(after).toEqual({
      status: "taken",
      entry: expect.objectContaining({ state: "done", source: info().source, outcome: { status: "succeeded", detail: "detached", checks: { verifiedBy: "lookup-events", done: "detached" } } }),
    });
    const item = await db.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: ledgerKey("e-1") } } }));
    expect(item.Item?.expiresAt).toEqual({ N: String(KEEP.getTime() / 1000) });
  });

  it("gives an event to exactly one of many callers racing for it", async () => {
    // Act
    const claims = await Promise.all(Array.from({ length: 8 }, (_, i) => ledger().claim("e-race", info(`s3://b/copy-${i}.json.gz`))));
    // Assess
    expect(claims.filter((c) => c.status === "claimed")).toHaveLength(1);
    expect(claims.filter((c) => c.status === "taken")).toHaveLength(7);
  });

  it("lets a claim be taken over once its lock expired (a crashed invocation), and then refuses the old holder's completion", async () => {
    // Prepare
    const crashed = await ledger().claim("e-2", info());
    // Act
    const tooEarly = await ledger(new Date(T0.getTime() + 179_000)).claim("e-2", info());
    const later = await ledger(new Date(T0.getTime() + 181_000)).claim("e-2", info());
    const stale = crashed.status === "claimed" && (await ledger().complete("e-2", crashed.token, { status: "succeeded", detail: "x" }));
    // Assess
    expect(tooEarly.status).toBe("taken");
    expect(later.status).toBe("claimed");
    expect(stale).toBe(false);
  });

  it("never lets a completed event be claimed again, whatever the clock says within its lifetime", async () => {
    const c = await ledger().claim("e-3", info());
    if (c.status === "claimed") await ledger().complete("e-3", c.token, { status: "failed", detail: "AccessDenied" });

    const dayLater = await ledger(new Date(T0.getTime() + 20 * 3600_000)).claim("e-3", info());

    expect(dayLater).toMatchObject({ status: "taken", entry: { state: "done", outcome: { status: "failed" } } });
  });

  it("releases a claim only for its holder, so a retry can claim again", async () => {
    // Prepare
    const c = await ledger().claim("e-4", info());
    const token = c.status === "claimed" ? c.token : "";
    // Act
    const wrong = await ledger().release("e-4", "not-the-token");
    const right = await ledger().release("e-4", token);
    const again = await ledger().claim("e-4", info());
    // Assess
    expect([wrong, right]).toEqual([false, true]);
    expect(again.status).toBe("claimed");
  });

  it("fails loudly when the table does not exist (the caller reports it and does not act)", async () => {
    const err = await new DynamoRemediationLedger(db.client, "no-such-table").claim("e-5", info()).catch((e: unknown) => e);

    expect(err).toMatchObject({ name: "ResourceNotFoundException" });
  });
});
