import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Alert } from "../../../functions/core/alert/alert";
import type { ObservedActivity } from "../../../functions/core/anomaly/activity";
import { discern, type AnomalyActivityQuery } from "../../../functions/core/anomaly/discern";
import { parseAnomalySettings } from "../../../functions/core/anomaly/settings";
import { hourlyWindows, type QueryWindow } from "../../../functions/core/anomaly/window";
import { parseRoleTrust } from "../../../functions/core/anomaly/trust";
import { FileBaselineStore } from "../../../functions/adapters/local/file-baseline";

const ACCT = "111122223333";
const APP = `arn:aws:iam::${ACCT}:role/app`;
const NEWBIE = `arn:aws:iam::${ACCT}:role/newbie`;

/** Activity scripted per window end: which principal does what. */
class ScriptedActivity implements AnomalyActivityQuery {
  constructor(private readonly script: (w: QueryWindow) => [string, string, string][]) {}
  async distinctActivity(q: { account: string; from: Date; to: Date }): Promise<ObservedActivity[]> {
    const w = { from: q.from.toISOString(), to: q.to.toISOString() };
    return this.script(w).map(([principal, source, name]) => ({
      account: q.account, principal, principalType: principal.startsWith("service:") ? "AWSService" : "AssumedRole",
      eventSource: `${source}.amazonaws.com`, eventName: name, firstSeen: new Date(q.to.getTime() - 30 * 60_000).toISOString().replace(".000", ""),
      lastSeen: new Date(q.to.getTime() - 20 * 60_000).toISOString().replace(".000", ""), count: 3, writes: /^(Create|Attach|Put)/.test(name) ? 3 : 0, region: "us-east-1", regions: 1,
    }));
  }
}

class MemorySink {
  sent: Alert[] = [];
  attempted: Alert[] = [];
  fail = false;
  async send(alerts: Alert[]) {
    this.attempted.push(...alerts);
    if (this.fail) throw new Error("SNS is down");
    this.sent.push(...alerts);
  }
}

describe("discernment over simulated weeks", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "tw-discern-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const windows = hourlyWindows(new Date("2026-11-01T00:00:00Z"), new Date("2026-11-20T12:00:00Z"));
  const day = (w: QueryWindow) => Math.floor((Date.parse(w.to) - Date.parse("2026-11-01T00:00:00Z")) / 86_400_000);

  it("stays quiet while warming up, then alerts once on what a principal never did before, with its reasons", async () => {
    // Prepare: app does routine reads every hour; on day 16 it creates a user and attaches a policy.
    // A brand-new role appears on day 18; a service principal does things all the time.
    const activity = new ScriptedActivity((w) => {
      const d = day(w);
      const rows: [string, string, string][] = [[APP, "s3", "ListBuckets"], [APP, "ec2", "DescribeInstances"], ["service:ec2.amazonaws.com", "kms", "Decrypt"]];
      if (d === 5) rows.push([APP, "s3", "GetBucketPolicy"]); // new during warm-up: learned, not alerted
      if (d === 16 && w.to.endsWith("T10:00:00.000Z")) rows.push([APP, "iam", "CreateUser"], [APP, "iam", "AttachUserPolicy"]);
      if (d >= 18) rows.push([NEWBIE, "iam", "CreateAccessKey"]);
      return rows;
    });
    const store = new FileBaselineStore(dir);
    const sink = new MemorySink();
    const settings = parseAnomalySettings({});
    const trust = { trustOf: jest.fn(async () => parseRoleTrust({ Statement: [{ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" } }] }, ACCT)) };

    // Act
    let writeRequests = 0;
    for (const w of windows) writeRequests += (await discern({ account: ACCT, window: w, unit: "payments" }, { activity, baseline: store, settings, alerts: sink, trust })).stats.writes.requests;

    // Assess: one alert, for app's first IAM changes; none for the warm-up novelty, the newbie or the service.
    expect(sink.sent).toHaveLength(1);
    const alert = sink.sent[0]!;
    expect(alert.rule).toBe("anomaly.new-behavior");
    expect(alert.principal).toBe(APP);
    expect(alert.severity).toBe("critical");
    expect(alert.summary).toBe("role/app did 2 thing(s) it had not done in 90 days: iam:CreateUser, iam:AttachUserPolicy");
    const ctx = alert.context as { newActions: { action: string; firstSeen: string; kind: string }[]; baseline: { knownActions: number; principalAgeDays: number; accountAgeDays: number }; severityReasons: string[]; unit: string };
    expect(ctx.newActions.map((x) => [x.action, x.kind])).toEqual([["iam:CreateUser", "identity"], ["iam:AttachUserPolicy", "identity"]]);
    expect(ctx.newActions[0]!.firstSeen).toBe("2026-11-17T09:30:00Z");
    expect(ctx.baseline.knownActions).toBe(3);
    expect(ctx.baseline.principalAgeDays).toBeGreaterThan(16);
    expect(ctx.severityReasons.join(" | ")).toMatch(/score 12: high.*ecs-tasks\.amazonaws\.com.*\+1 \(critical\)/);
    expect(ctx.unit).toBe("payments");
    expect(trust.trustOf).toHaveBeenCalledWith(ACCT, APP);
    // Writes: far fewer than one per tuple per hour (3 tuples x 470 hours).
    expect(writeRequests).toBeLessThan(150);
  });

  it("does not learn what it could not report: a failed send leaves the actions new for the retry, with the same alert id", async () => {
    const store = new FileBaselineStore(dir);
    const settings = parseAnomalySettings({ warmUpDays: 0 });
    const sink = new MemorySink();
    const routine = new ScriptedActivity(() => [[APP, "s3", "ListBuckets"]]);
    const w = hourlyWindows(new Date("2026-11-20T08:00:00Z"), new Date("2026-11-20T11:00:00Z"));
    await discern({ account: ACCT, window: w[0]! }, { activity: routine, baseline: store, settings, alerts: sink });
    const novel = new ScriptedActivity(() => [[APP, "s3", "ListBuckets"], [APP, "iam", "CreateRole"]]);

    sink.fail = true;
    await expect(discern({ account: ACCT, window: w[1]! }, { activity: novel, baseline: store, settings, alerts: sink })).rejects.toThrow("SNS is down");
    sink.fail = false;
    const retry = await discern({ account: ACCT, window: w[1]! }, { activity: novel, baseline: store, settings, alerts: sink });
    const again = await discern({ account: ACCT, window: w[2]! }, { activity: novel, baseline: store, settings, alerts: sink });

    expect(retry.alerts).toHaveLength(1);
    expect(sink.attempted.map((a) => a.id)).toEqual([retry.alerts[0]!.id, retry.alerts[0]!.id]);
    expect(retry.alerts[0]!.context).toMatchObject({ newActions: [{ action: "iam:CreateRole" }] });
    expect(again.alerts).toHaveLength(0);
  });

  it("skips ignored principals and actions entirely, neither learning nor alerting", async () => {
    const store = new FileBaselineStore(dir);
    const settings = parseAnomalySettings({ warmUpDays: 0, ignorePrincipals: ["arn:aws:iam::*:role/newbie"], ignoreActions: ["s3:List*"] });
    const activity = new ScriptedActivity(() => [[NEWBIE, "iam", "CreateUser"], [APP, "s3", "ListBuckets"], [APP, "ec2", "RunInstances"]]);
    const r = await discern({ account: ACCT, window: { from: "2026-11-20T09:45:00Z", to: "2026-11-20T11:00:00Z" } }, { activity, baseline: store, settings });
    expect(r.stats.ignored).toEqual({ servicePrincipals: 0, principals: 1, actions: 1 });
    expect(r.stats.tuples).toBe(1);
    expect((await store.load(ACCT, [NEWBIE])).principals.size).toBe(0);
  });
});
