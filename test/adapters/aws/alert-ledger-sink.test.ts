import { AlertInFlightError, LedgerAlertSink, ledgerKey } from "../../../functions/adapters/aws/alert-ledger-sink";
import { DynamoIdempotencyStore } from "../../../functions/adapters/aws/idempotency-store";
import type { Alert } from "../../../functions/core/alert/alert";
import type { AlertSink } from "../../../functions/core/ports";
import { startDynalite, type LocalDynamo } from "../../support/dynalite";

const TABLE = "trailwatch-alert-ledger";

function alert(id: string): Alert {
  return {
    id, rule: "cloudtrail.logging-stopped", severity: "critical", title: "CloudTrail logging stopped", summary: "s",
    account: "111122223333", region: "us-east-1", eventTime: "2026-11-23T10:00:00Z", eventName: "StopLogging", eventSource: "cloudtrail.amazonaws.com",
    principal: { id: "p", type: "IAMUser" }, context: {}, remediation: null,
  } as unknown as Alert;
}

/** A sink that records what it published and can be told to fail. */
class RecordingSink implements AlertSink {
  sent: string[] = [];
  calls = 0;
  failNext = 0;
  async send(alerts: Alert[]): Promise<void> {
    this.calls++;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error("SNS is down");
    }
    this.sent.push(...alerts.map((a) => a.id));
  }
}

describe("LedgerAlertSink against dynalite", () => {
  let db: LocalDynamo;
  let n = 0;
  const id = () => `alert-${++n}`;

  beforeAll(async () => {
    db = await startDynalite();
    await db.createTable(TABLE);
  });
  afterAll(async () => db?.stop());

  function pair() {
    const guard = new RecordingSink();
    const analyzer = new RecordingSink();
    const dupes: string[] = [];
    const store = new DynamoIdempotencyStore(db.client, TABLE);
    return {
      guard, analyzer, dupes, store,
      guardSink: new LedgerAlertSink(guard, store),
      analyzerSink: new LedgerAlertSink(analyzer, new DynamoIdempotencyStore(db.client, TABLE), { onDuplicate: (a) => dupes.push(a.id) }),
    };
  }

  it("sends an alert raised by two functions once: the first sends it, the second leaves it out", async () => {
    // Prepare
    const p = pair();
    const [a, b] = [id(), id()];
    // Act
    await p.guardSink.send([alert(a)]);
    await p.analyzerSink.send([alert(a), alert(b)]);
    await p.analyzerSink.send([alert(b)]);
    // Assess
    expect(p.guard.sent).toEqual([a]);
    expect(p.analyzer.sent).toEqual([b]);
    expect(p.dupes).toEqual([a, b]);
  });

  it("releases the claim when publishing fails, so the caller's retry sends the alert", async () => {
    // Prepare
    const p = pair();
    const a = id();
    p.guard.failNext = 1;
    // Act
    const first = await p.guardSink.send([alert(a)]).catch((e: unknown) => e);
    await p.guardSink.send([alert(a)]);
    // Assess
    expect(first).toEqual(new Error("SNS is down"));
    expect(p.guard.sent).toEqual([a]);
  });

  it("tells the caller to retry while another function holds the alert, and sends nothing twice", async () => {
    // Prepare: the guard has claimed the alert and not finished publishing yet.
    const p = pair();
    const a = id();
    const held = await p.store.claim(ledgerKey(a), 60);
    // Act
    const err = await p.analyzerSink.send([alert(a)]).catch((e: unknown) => e);
    if (held.status !== "claimed") throw new Error("expected the claim");
    await p.store.complete(held);
    await p.analyzerSink.send([alert(a)]);
    // Assess
    expect(err).toBeInstanceOf(AlertInFlightError);
    expect((err as AlertInFlightError).transient).toBe(true);
    expect(p.analyzer.sent).toEqual([]);
    expect(p.dupes).toEqual([a]);
  });

  it("publishes the alerts it claims in one call, and still sends them when another function holds one", async () => {
    // Prepare: 20 alerts; the guard is publishing the 5th right now.
    const p = pair();
    const ids = Array.from({ length: 20 }, id);
    await p.store.claim(ledgerKey(ids[4]!), 60);
    // Act
    const err = await p.analyzerSink.send(ids.map(alert)).catch((e: unknown) => e);
    // Assess: one publish of the 19 it could claim, in the order given; a retry for the held one
    expect(p.analyzer.calls).toBe(1);
    expect(p.analyzer.sent).toEqual(ids.filter((_, i) => i !== 4));
    expect(err).toBeInstanceOf(AlertInFlightError);
    expect((err as Error).message).toContain(ids[4]);
  });

  it("sends and completes the alerts it claimed before passing repeats on, so a refused repeat holds no claim", async () => {
    // Prepare: one alert sent already; the repeats sink is down.
    const p = pair();
    const [old, fresh] = [id(), id()];
    await p.guardSink.send([alert(old)]);
    const repeats = new RecordingSink();
    repeats.failNext = 1;
    const sink = new LedgerAlertSink(p.analyzer, p.store, { repeatsTo: repeats });
    // Act
    const err = await sink.send([alert(old), alert(fresh)]).catch((e: unknown) => e);
    const again = await p.store.claim(ledgerKey(fresh), 60);
    // Assess
    expect(err).toEqual(new Error("SNS is down"));
    expect(p.analyzer.sent).toEqual([fresh]);
    expect(again.status).toBe("completed");
  });

  it("lets a retry take over an alert whose sender died before publishing (its lock expired)", async () => {
    // Prepare: a sender claimed with a 1 s lock and never finished.
    const p = pair();
    const a = id();
    await p.store.claim(ledgerKey(a), 1);
    await new Promise((r) => setTimeout(r, 2_100));
    // Act
    await p.analyzerSink.send([alert(a)]);
    // Assess
    expect(p.analyzer.sent).toEqual([a]);
  });

  it("passes a repeat to repeatsTo (Splunk without mail) instead of dropping it", async () => {
    // Prepare
    const store = new DynamoIdempotencyStore(db.client, TABLE);
    const loud = new RecordingSink();
    const quiet = new RecordingSink();
    const sink = new LedgerAlertSink(loud, store, { repeatsTo: quiet });
    const a = id();
    // Act
    await sink.send([alert(a)]);
    await sink.send([alert(a)]);
    await sink.send([alert(a)]);
    // Assess
    expect(loud.sent).toEqual([a]);
    expect(quiet.sent).toEqual([a, a]);
  });
});

