import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import type { AddressInfo } from "node:net";
import { HecClient } from "../../../functions/adapters/aws/hec/client";
import { classifyHecResponse } from "../../../functions/adapters/aws/hec/response";
import { HecAlertSink, type DeliveryReport, type HecSinkOptions } from "../../../functions/adapters/aws/hec/sink";
import type { TokenSource } from "../../../functions/adapters/aws/secret-reference";
import type { Alert } from "../../../functions/core/alert/alert";
import { startHecServer, type LocalHec } from "../../support/hec-server";
import { deepValue } from "../../support/hostile-values";

const TOKEN = "11111111-2222-3333-4444-555555555555";
const SETTINGS = { source: "trailwatch", sourcetype: "trailwatch:alert", index: "security" };

function alert(i: number, extra: Partial<Alert> = {}): Alert {
  return {
    id: `alert-${i}`,
    rule: "cloudtrail.logging-stopped",
    title: "CloudTrail logging stopped",
    severity: "critical",
    account: "111122223333",
    region: "us-east-1",
    principal: "arn:aws:iam::111122223333:user/mallory",
    eventSource: "cloudtrail.amazonaws.com",
    eventName: "StopLogging",
    eventTime: `2026-11-23T10:00:${String(i % 60).padStart(2, "0")}.250Z`,
    eventId: `event-${i}`,
    summary: `mallory stopped logging on trail org-trail (${i})`,
    context: { trail: "org-trail" },
    remediation: null,
    ...extra,
  };
}

const items = (alerts: Alert[]) => alerts.map((a) => ({ key: a.id, alert: a }));

/** A token source that counts reads and can hand out a different value after a refresh. */
function tokens(first: string, afterRefresh = first): TokenSource & { reads: boolean[] } {
  const reads: boolean[] = [];
  let refreshed = false;
  return {
    reads,
    async get(refresh = false) {
      reads.push(refresh);
      if (refresh) refreshed = true;
      return refreshed ? afterRefresh : first;
    },
  };
}

/** Every key ended in exactly one place, and nothing reached the server twice. */
function expectEveryAlertAccountedFor(report: DeliveryReport, hec: LocalHec, keys: string[]) {
  const placed = [...report.delivered, ...report.rejected.map((r) => r.key), ...report.deferred.map((d) => d.key)];
  expect(placed.sort()).toEqual([...keys].sort());
  const acceptedIds = hec.accepted.map((e) => (e.fields as { alert_id: string }).alert_id);
  expect(new Set(acceptedIds).size).toBe(acceptedIds.length);
  expect([...acceptedIds].sort()).toEqual([...report.delivered].sort());
}

describe("HecAlertSink against a local HEC", () => {
  let hec: LocalHec;
  const delays: number[] = [];
  const sleep = async (ms: number) => {
    delays.push(ms);
    await new Promise((r) => setTimeout(r, Math.min(ms, 5)));
  };

  beforeEach(async () => {
    delays.length = 0;
    hec = await startHecServer({ token: TOKEN, requiredFields: ["event", "time", "source", "sourcetype"], allowedIndexes: ["security"] });
  });
  afterEach(() => hec.stop());

  function sink(opts: HecSinkOptions = {}, token: TokenSource = tokens(TOKEN)) {
    return new HecAlertSink(new HecClient({ endpoint: hec.url, token }), SETTINGS, {
      // Generous: a request that times out on a busy machine would be sent again (at-least-once).
      requestTimeoutMs: 3_000,
      retry: { baseDelayMs: 10, maxDelayMs: 40 },
      sleep,
      ...opts,
    });
  }
  const soon = (ms = 10_000) => Date.now() + ms;

  it("sends several alerts in one request, as HEC JSON events with the alert object, its time and indexed fields", async () => {
    // Prepare
    const alerts = [alert(1), alert(2), alert(3)];
    // Act
    const report = await sink().deliver(items(alerts), soon());
    // Assess
    expect(report.delivered).toEqual(["alert-1", "alert-2", "alert-3"]);
    expect(hec.requests).toHaveLength(1);
    const req = hec.requests[0]!;
    expect(req.path).toBe("/services/collector/event");
    expect(req.headers.authorization).toBe(`Splunk ${TOKEN}`);
    expect(req.headers["x-splunk-request-channel"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(req.events).toHaveLength(3);
    expect(req.events[0]).toEqual({
      time: Date.parse("2026-11-23T10:00:01.250Z") / 1000,
      host: "111122223333",
      source: "trailwatch",
      sourcetype: "trailwatch:alert",
      index: "security",
      event: alerts[0],
      fields: { alert_id: "alert-1", rule: "cloudtrail.logging-stopped", severity: "critical", account: "111122223333" },
    });
    expect(typeof req.events[0]!.event).toBe("object");
    expectEveryAlertAccountedFor(report, hec, ["alert-1", "alert-2", "alert-3"]);
  });

  it("caps the request size and sends an event larger than the cap on its own", async () => {
    const big = alert(99, { context: { note: "x".repeat(5_000) } });
    const alerts = [...Array.from({ length: 6 }, (_, i) => alert(i)), big, alert(7)];
    const report = await sink({ maxBatchBytes: 2_500 }).deliver(items(alerts), soon());
    expect(report.delivered).toHaveLength(8);
    for (const r of hec.requests) {
      if (r.events.some((e) => (e.fields as { alert_id: string }).alert_id === "alert-99")) expect(r.events).toHaveLength(1);
      else expect(Buffer.byteLength(r.body)).toBeLessThanOrEqual(2_500);
    }
    expect(hec.requests.length).toBeGreaterThan(2);
    expectEveryAlertAccountedFor(report, hec, alerts.map((a) => a.id));
  });

  it("retries 500 and 503 with growing, jittered backoff and then delivers each alert once", async () => {
    hec.failNext(2, { status: 500 });
    hec.failNext(1, { status: 503 });
    const report = await sink({ random: () => 0.999 }).deliver(items([alert(1), alert(2)]), soon());
    expect(report.delivered).toEqual(["alert-1", "alert-2"]);
    expect(hec.requests.map((r) => r.status)).toEqual([500, 500, 503, 200]);
    expect(report.retries).toBe(3);
    expect(delays).toEqual([19, 39, 39]); // base 10 * 2^n, capped at 40, times the random factor
    expectEveryAlertAccountedFor(report, hec, ["alert-1", "alert-2"]);
  });

  it("counts a 200 maintenance page from a proxy as a failure, retries it, and delivers once HEC itself answers", async () => {
    const page = readFileSync(join(__dirname, "../../fixtures/hostile/output/hec-maintenance-page.html"), "utf8");
    hec.failNext(1, { status: 200, page });
    hec.failNext(1, { status: 200, page: readFileSync(join(__dirname, "../../fixtures/hostile/output/hec-proxy-ok.json"), "utf8"), contentType: "application/json" });
    hec.failNext(1, { status: 204, page: "" });
    const report = await sink().deliver(items([alert(1), alert(2)]), soon());
    expect(hec.requests.map((r) => r.status)).toEqual([200, 200, 204, 200]);
    expect(report.delivered).toEqual(["alert-1", "alert-2"]);
    expect(report.retries).toBe(3);
    expectEveryAlertAccountedFor(report, hec, ["alert-1", "alert-2"]);
  });

  it("defers (so SQS delivers again) when only maintenance pages come back, saying why", async () => {
    hec.failNext(10, { status: 200, page: "<html><title>Maintenance</title>\u001b[2J</html>" });
    const report = await sink({ retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 } }).deliver(items([alert(1)]), soon());
    expect(report.delivered).toEqual([]);
    expect(report.deferred).toEqual([
      { key: "alert-1", reason: expect.stringMatching(/^HEC unavailable: HTTP 200: <html><title>Maintenance<\/title>.*\(not HEC's success answer \{"text":"Success","code":0\}: a proxy or maintenance page\? nothing counts as delivered\) \(after 3 attempts\)$/) },
    ]);
    expect(hec.accepted).toEqual([]);
  });

  it("delivers an alert whose context is 10,000 levels deep (cut at the depth limit) together with the others", async () => {
    const report = await sink().deliver(items([alert(1, { context: { v: deepValue(10_000) } }), alert(2)]), soon());
    expect(report.delivered).toEqual(["alert-1", "alert-2"]);
    expect(JSON.stringify(hec.accepted[0]!.event)).toContain("[truncated: nested deeper than 8 levels]");
  });

  it("honours Retry-After on 429", async () => {
    hec.failNext(1, { status: 429, retryAfter: "2" });
    const report = await sink().deliver(items([alert(1)]), soon());
    expect(report.delivered).toEqual(["alert-1"]);
    expect(delays).toEqual([2_000]);
    expect(hec.requests.map((r) => r.status)).toEqual([429, 200]);
  });

  it("defers instead of waiting when Retry-After is longer than the cap", async () => {
    hec.failNext(1, { status: 429, retryAfter: "120" });
    const report = await sink({ retry: { maxRetryAfterMs: 30_000 } }).deliver(items([alert(1)]), soon());
    expect(report.deferred).toEqual([{ key: "alert-1", reason: expect.stringMatching(/HTTP 429.*Retry-After 120000 ms exceeds the 30000 ms cap/) }]);
    expect(hec.requests).toHaveLength(1);
    expect(delays).toEqual([]);
  });

  it("retries a request that got no answer in time, and one whose connection was reset", async () => {
    hec.failNext(1, "hang");
    hec.failNext(1, "reset");
    const report = await sink({ requestTimeoutMs: 1_000 }).deliver(items([alert(1), alert(2)]), soon());
    expect(report.delivered).toEqual(["alert-1", "alert-2"]);
    expect(hec.requests).toHaveLength(3);
    expect(hec.requests[0]!.fault).toBe("hang");
    expect(hec.requests[1]!.fault).toBe("reset");
    expectEveryAlertAccountedFor(report, hec, ["alert-1", "alert-2"]);
  });

  it("defers what is still failing at the deadline and does not try the later batches", async () => {
    hec.failNext(1_000, { status: 503 });
    const alerts = Array.from({ length: 6 }, (_, i) => alert(i));
    const started = Date.now();
    const report = await sink({ maxBatchBytes: 2_000, sleep: (ms) => new Promise((r) => setTimeout(r, ms)), retry: { baseDelayMs: 50, maxDelayMs: 100, maxAttempts: 100 } }).deliver(
      items(alerts),
      started + 600,
    );
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(report.delivered).toEqual([]);
    expect(report.deferred.map((d) => d.key).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(report.deferred[0]!.reason).toMatch(/HEC unavailable: HTTP 503: Server is busy \(code 9\)/);
    // Only the first batch was tried: every request carried the same events.
    expect(new Set(hec.requests.map((r) => r.body)).size).toBe(1);
    expect(hec.requests.length).toBeGreaterThan(1);
    expectEveryAlertAccountedFor(report, hec, alerts.map((a) => a.id));
  });

  it("gives up after maxAttempts even with time left", async () => {
    hec.failNext(10, { status: 500 });
    const report = await sink({ retry: { baseDelayMs: 1, maxDelayMs: 2, maxAttempts: 3 } }).deliver(items([alert(1)]), soon());
    expect(report.deferred[0]!.reason).toMatch(/after 3 attempts/);
    expect(hec.requests).toHaveLength(3);
  });

  it("bisects a batch HEC refused with 400 without naming the event, so the good events still get in", async () => {
    hec.rejectEvents((e) => (e.fields as { alert_id: string }).alert_id === "alert-5", { reportNumber: false });
    const alerts = Array.from({ length: 8 }, (_, i) => alert(i));
    const report = await sink().deliver(items(alerts), soon());
    expect(report.rejected).toEqual([{ key: "alert-5", reason: "HEC refused the event: HTTP 400: Invalid data format (code 6)" }]);
    expect(report.delivered.sort()).toEqual(alerts.filter((a) => a.id !== "alert-5").map((a) => a.id).sort());
    expect(hec.requests.length).toBeLessThanOrEqual(1 + 2 * Math.ceil(Math.log2(8)));
    expectEveryAlertAccountedFor(report, hec, alerts.map((a) => a.id));
  });

  it("takes out just the event HEC names in invalid-event-number", async () => {
    hec.rejectEvents((e) => (e.fields as { alert_id: string }).alert_id === "alert-2");
    const alerts = Array.from({ length: 5 }, (_, i) => alert(i));
    const report = await sink().deliver(items(alerts), soon());
    expect(report.rejected.map((r) => r.key)).toEqual(["alert-2"]);
    expect(hec.requests.map((r) => r.status)).toEqual([400, 200]);
    expect(hec.requests[1]!.events).toHaveLength(4);
    expectEveryAlertAccountedFor(report, hec, alerts.map((a) => a.id));
  });

  it("isolates each of two bad events in one batch", async () => {
    hec.rejectEvents((e) => ["alert-1", "alert-6"].includes((e.fields as { alert_id: string }).alert_id), { reportNumber: false });
    const alerts = Array.from({ length: 7 }, (_, i) => alert(i));
    const report = await sink().deliver(items(alerts), soon());
    expect(report.rejected.map((r) => r.key).sort()).toEqual(["alert-1", "alert-6"]);
    expect(report.delivered).toHaveLength(5);
    expectEveryAlertAccountedFor(report, hec, alerts.map((a) => a.id));
  });

  it("bisects on 413 and delivers both halves", async () => {
    hec.failNext(1, { status: 413 });
    const report = await sink().deliver(items([alert(1), alert(2), alert(3), alert(4)]), soon());
    expect(report.delivered).toHaveLength(4);
    expect(hec.requests.map((r) => r.events.length)).toEqual([4, 2, 2]);
  });

  it("re-reads a refused token once, then rejects everything without hammering HEC", async () => {
    const token = tokens("revoked-token");
    const alerts = Array.from({ length: 6 }, (_, i) => alert(i));
    const report = await sink({ maxBatchBytes: 2_000 }, token).deliver(items(alerts), soon());
    expect(token.reads).toEqual([false, true]);
    expect(hec.requests.map((r) => r.status)).toEqual([403, 403]);
    expect(report.rejected.map((r) => r.key).sort()).toEqual(alerts.map((a) => a.id).sort());
    expect(report.rejected[0]!.reason).toBe("HEC refused the request: HTTP 403: Invalid token (code 4)");
    expectEveryAlertAccountedFor(report, hec, alerts.map((a) => a.id));
  });

  it("picks up a rotated token after a 403", async () => {
    const token = tokens("old-token", TOKEN);
    const report = await sink({}, token).deliver(items([alert(1)]), soon());
    expect(report.delivered).toEqual(["alert-1"]);
    expect(hec.requests.map((r) => [r.status, r.headers.authorization])).toEqual([
      [403, "Splunk old-token"],
      [200, `Splunk ${TOKEN}`],
    ]);
  });

  it("rejects an index the token may not write to (code 7) as a permanent failure", async () => {
    const s = new HecAlertSink(new HecClient({ endpoint: hec.url, token: tokens(TOKEN) }), { ...SETTINGS, index: "main" }, { sleep });
    const report = await s.deliver(items([alert(1)]), soon());
    expect(report.rejected).toEqual([{ key: "alert-1", reason: "HEC refused the event: HTTP 400: Incorrect index (code 7)" }]);
  });

  it("defers everything when the token cannot be read, without sending anything", async () => {
    const failing: TokenSource = { get: async () => Promise.reject(new Error("could not read Secrets Manager secret hec: AccessDeniedException")) };
    const report = await sink({}, failing).deliver(items([alert(1), alert(2)]), soon());
    expect(report.deferred.map((d) => d.key)).toEqual(["alert-1", "alert-2"]);
    expect(report.deferred[0]!.reason).toMatch(/AccessDeniedException/);
    expect(hec.requests).toHaveLength(0);
  });

  describe("with indexer acknowledgement", () => {
    let acking: LocalHec;
    beforeEach(async () => {
      acking = await startHecServer({ token: TOKEN, ack: { pollsBeforeAck: 1 } });
    });
    afterEach(() => acking.stop());
    const ackSink = (opts: HecSinkOptions = {}) =>
      new HecAlertSink(new HecClient({ endpoint: acking.url, token: tokens(TOKEN) }), SETTINGS, { sleep, ackPoll: { firstMs: 20, maxMs: 40 }, ...opts });

    it("counts events as delivered once HEC confirms they were indexed, polling on the request's channel", async () => {
      const alerts = Array.from({ length: 6 }, (_, i) => alert(i));
      const report = await ackSink({ maxBatchBytes: 2_000 }).deliver(items(alerts), soon());
      expect(report.delivered.sort()).toEqual(alerts.map((a) => a.id).sort());
      const posts = acking.requests.filter((r) => r.path === "/services/collector/event");
      const polls = acking.requests.filter((r) => r.path.startsWith("/services/collector/ack?channel="));
      expect(posts.length).toBeGreaterThan(1);
      expect(posts.map((r) => r.reply)).toEqual(posts.map((_, i) => ({ text: "Success", code: 0, ackId: i })));
      expect(polls.length).toBeGreaterThanOrEqual(2); // each id turns true only at its second poll
      const channel = posts[0]!.headers["x-splunk-request-channel"];
      expect(polls.every((p) => p.path === `/services/collector/ack?channel=${String(channel)}`)).toBe(true);
      expect(JSON.parse(polls[0]!.body)).toEqual({ acks: posts.map((_, i) => i) });
      expectEveryAlertAccountedFor(report, acking, alerts.map((a) => a.id));
    });

    it("defers events HEC received but never confirmed, without sending them again in the same run", async () => {
      acking.holdAcks(true);
      const report = await ackSink().deliver(items([alert(1), alert(2)]), Date.now() + 400);
      expect(report.delivered).toEqual([]);
      expect(report.deferred).toEqual([
        { key: "alert-1", reason: "HEC received the events (ackId 0) but did not confirm indexing before the deadline" },
        { key: "alert-2", reason: "HEC received the events (ackId 0) but did not confirm indexing before the deadline" },
      ]);
      expect(acking.requests.filter((r) => r.path === "/services/collector/event")).toHaveLength(1);
    });
  });

  it("AlertSink.send throws naming what was not delivered", async () => {
    hec.failNext(1, { status: 403 });
    hec.setToken("another");
    await expect(sink({}, tokens(TOKEN)).send([alert(1)])).rejects.toThrow(/1 of 1 alert\(s\) not delivered to http:\/\/127\.0\.0\.1:\d+\/services\/collector\/event: HEC refused the request: HTTP 403/);
  });
});

describe("HecClient safety", () => {
  let servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
    servers = [];
  });
  async function serve(handler: Parameters<typeof createServer>[1]): Promise<{ url: string; hits: string[] }> {
    const hits: string[] = [];
    const s = createServer((req, res) => {
      hits.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
      handler!(req, res);
    });
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", () => r()));
    return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, hits };
  }

  it("does not follow a redirect, so the token never reaches another host", async () => {
    const elsewhere = await serve((_req, res) => res.end("{}"));
    const redirecting = await serve((_req, res) => {
      res.writeHead(307, { Location: `${elsewhere.url}/services/collector/event` });
      res.end();
    });
    const client = new HecClient({ endpoint: redirecting.url, token: tokens(TOKEN) });
    const outcome = await client.post('{"event":"x"}', 1_000);
    expect(outcome.kind).toBe("reject-request");
    expect(elsewhere.hits).toEqual([]);
  });

  it("removes the token from anything HEC echoes back", async () => {
    const echo = await serve((req, res) => {
      res.writeHead(400, { "Content-Type": "text/plain" });
      res.end(`bad request from ${req.headers.authorization}`);
    });
    const outcome = await new HecClient({ endpoint: echo.url, token: tokens(TOKEN) }).post('{"event":"x"}', 1_000);
    expect(outcome).toEqual({ kind: "reject-events", status: 400, reason: "HTTP 400: bad request from Splunk [redacted]" });
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it("accepts a 2xx only with HEC's success answer, and an ack poll only with HEC's ack answer", async () => {
    expect(classifyHecResponse(200, '{"text":"Success","code":0}', null)).toEqual({ kind: "ok", status: 200 });
    expect(classifyHecResponse(200, '{"text":"Success","code":0,"ackId":3}', null)).toEqual({ kind: "ok", status: 200, ackId: 3 });
    for (const body of ["", "<html>maintenance</html>", '{"status":"ok"}', '{"text":"Success"}', '{"code":0}', '{"text":"Success","code":"0"}', "null", "[]"]) {
      expect(classifyHecResponse(200, body, null).kind).toBe("retry");
    }
    const page = await serve((_req, res) => {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<html>maintenance \u001b]0;pwned\u0007</html>");
    });
    const client = new HecClient({ endpoint: page.url, token: tokens(TOKEN) });
    expect(await client.acks([1], 1_000)).toEqual({ kind: "retry", status: 200, reason: 'HTTP 200: not HEC\'s ack answer {"acks": {...}}' });
    const posted = await client.post('{"event":"x"}', 1_000);
    expect(posted).toMatchObject({ kind: "retry", status: 200 });
    expect((posted as { reason: string }).reason).toContain("maintenance \\x1b]0;pwned\\x07");
  });

  it("treats a refused connection as transient", async () => {
    const gone = await serve((_req, res) => res.end());
    const url = gone.url;
    const s = servers.pop()!;
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
    const outcome = await new HecClient({ endpoint: url, token: tokens(TOKEN) }).post('{"event":"x"}', 1_000);
    expect(outcome).toEqual({ kind: "retry", reason: expect.stringMatching(/^connection failed: ECONNREFUSED/) });
  });
});
