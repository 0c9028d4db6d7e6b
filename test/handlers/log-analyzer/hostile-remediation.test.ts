/**
 * The adversarial remediation corpus (`test/fixtures/hostile/remediation/`, one case per file, listed
 * in its README): each case writes its log file to s3rver, puts what AWS really recorded in the
 * (mocked) CloudTrail event history, delivers the file's notification to the log analyzer one or
 * more times (its idempotency store and the remediation ledger on dynalite), and checks the alert,
 * its remediation result and the IAM calls made (aws-sdk-client-mock, inputs checked).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { CloudTrailClient, LookupEventsCommand } from "@aws-sdk/client-cloudtrail";
import { DeleteItemCommand } from "@aws-sdk/client-dynamodb";
import { DetachRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand } from "@aws-sdk/client-iam";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { objectIdempotencyKey } from "../../../functions/adapters/aws/idempotency-store";
import { REMEDIATION_REFUSALS } from "../../../functions/core/alert/alert";
import { BUCKET, CONTEXT, TABLE, adminRule, captureStdout, s3Notification, sqsEvent, startHarness, type Harness } from "./harness";

const DIR = join(__dirname, "../../fixtures/hostile/remediation");
const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

interface Delivery {
  key: string;
  receiveCount: number;
  /** The analyzer's idempotency record of the object is gone before this delivery (its window passed). */
  forgetObject?: boolean;
  expect: { messageFails?: boolean; alert?: boolean; status?: string; refused?: string; verifiedBy?: string; detail?: string; found?: string };
}

interface HostileCase {
  name: string;
  attack: string;
  mustHappen: string;
  logFile: Record<string, unknown>[];
  eventHistory: Record<string, unknown>[];
  administratorAccessAttached?: boolean;
  deliveries: Delivery[];
  detachCalls: number;
  lookups?: number;
}

const cases: HostileCase[] = readdirSync(DIR)
  .filter((f) => f.endsWith(".json"))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as HostileCase);

const iam = mockClient(IAMClient);
const cloudTrail = mockClient(CloudTrailClient);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  iam.restore();
  cloudTrail.restore();
  await h?.stop();
});

describe("hostile remediation corpus", () => {
  it("has every case the README lists, each with what it attacks and what must happen", () => {
    const readme = readFileSync(join(DIR, "README.md"), "utf8");
    expect(cases.length).toBeGreaterThanOrEqual(8);
    for (const c of cases) {
      expect([c.name, readme.includes(`\`${c.name}\``)]).toEqual([c.name, true]);
      expect(c.attack.length).toBeGreaterThan(20);
      expect(c.mustHappen.length).toBeGreaterThan(20);
      for (const d of c.deliveries) if (d.expect.refused) expect(REMEDIATION_REFUSALS).toContain(d.expect.refused);
    }
  });

  it.each(cases.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    // Prepare: the file as the attacker (or CloudTrail) wrote it, and what AWS really recorded.
    iam.reset();
    cloudTrail.reset();
    h.history.answer(cloudTrail);
    h.history.add(...c.eventHistory);
    iam.on(ListAttachedRolePoliciesCommand).resolves({ AttachedPolicies: c.administratorAccessAttached === false ? [] : [{ PolicyArn: ADMIN }], IsTruncated: false });
    iam.on(DetachRolePolicyCommand).resolves({});
    const written = new Set<string>();
    const eventIds = new Set(c.logFile.map((r) => String(r.eventID)));

    for (const [i, d] of c.deliveries.entries()) {
      if (!written.has(d.key)) {
        await h.putForged(d.key, c.logFile);
        written.add(d.key);
      }
      if (d.forgetObject) {
        const head = await h.s3.client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: d.key }));
        const pk = objectIdempotencyKey({ bucket: BUCKET, key: d.key, etag: head.ETag!.replace(/"/g, "") });
        await h.db.client.send(new DeleteItemCommand({ TableName: TABLE, Key: { pk: { S: pk } } }));
      }
      // Act
      const before = h.sent().length;
      const messageId = `${c.name}-${i}`;
      const { result } = await captureStdout(() => h.analyzer({ [adminRule.id]: "apply" })(sqsEvent([{ body: s3Notification([d.key]), messageId, receiveCount: d.receiveCount }]), CONTEXT));
      const alerts = h.sent().slice(before).filter((a) => a.eventId !== null && eventIds.has(a.eventId));
      // Assess
      const step = `${c.name} delivery ${i}`;
      if (d.expect.messageFails) {
        expect([step, result.batchItemFailures]).toEqual([step, [{ itemIdentifier: messageId }]]);
        expect([step, alerts]).toEqual([step, []]);
        continue;
      }
      expect([step, result.batchItemFailures]).toEqual([step, []]);
      expect([step, alerts.length]).toEqual([step, d.expect.alert ? 1 : 0]);
      const r = alerts[0]?.remediation;
      expect([step, r?.action, r?.mode, r?.status]).toEqual([step, "iam.detach-admin-policy", "apply", d.expect.status]);
      expect([step, r?.checks?.refused]).toEqual([step, d.expect.refused]);
      if (d.expect.verifiedBy) expect([step, r?.checks?.verifiedBy]).toEqual([step, d.expect.verifiedBy]);
      if (d.expect.refused && d.expect.refused !== "protected-target" && d.expect.refused !== "already-remediated") {
        // Refused before or at verification: never claimed to be verified.
        expect([step, r?.checks?.verifiedBy]).toEqual([step, undefined]);
      }
      if (d.expect.detail) expect([step, r?.detail]).toEqual([step, expect.stringMatching(new RegExp(d.expect.detail))]);
      if (d.expect.found) expect([step, r?.checks?.found]).toEqual([step, d.expect.found]);
    }

    expect(iam.commandCalls(DetachRolePolicyCommand).length).toBe(c.detachCalls);
    for (const call of iam.commandCalls(DetachRolePolicyCommand)) {
      const genuine = c.eventHistory.find((r) => eventIds.has(String(r.eventID)));
      expect(call.args[0].input).toEqual({ RoleName: (genuine?.requestParameters as { roleName: string }).roleName, PolicyArn: ADMIN });
    }
    if (c.lookups !== undefined) expect(cloudTrail.commandCalls(LookupEventsCommand)).toHaveLength(c.lookups);
  });
});
