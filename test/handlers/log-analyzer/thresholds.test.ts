import { ScanCommand } from "@aws-sdk/client-dynamodb";
import { THRESHOLD_KEY_PREFIX } from "../../../functions/adapters/aws/threshold-store";
import { loadExamples } from "../../core/rules/examples";
import { expandSequence, type Sequence } from "../../core/rules/sequences";
import { CONTEXT, TABLE, captureStdout, s3Notification, sqsEvent, startHarness, type Harness } from "./harness";
import { logKey } from "./records";

const RULE = "ec2.password-data-read-burst";
/** 30 GetPasswordData calls on 30 instances by one principal, two seconds apart. */
const burst = expandSequence(loadExamples(RULE)!.positive[0] as unknown as Sequence);

let h: Harness;
let n = 0;
const key = () => logKey(`threshold-${++n}`);

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h?.stop());

async function deliver(k: string, receiveCount = 1) {
  const analyze = h.analyzer();
  const before = h.sent().length;
  const { result } = await captureStdout(() => analyze(sqsEvent([{ body: s3Notification([k]), receiveCount }]), CONTEXT));
  return { result, alerts: h.sent().slice(before) };
}

describe("log analyzer: threshold rules count across log objects in the idempotency table", () => {
  it("alerts once, on the object that completes a burst spread over several objects", async () => {
    // Prepare: the burst's first 3 calls in one object, the next 3 in another (threshold 5).
    const [a, b] = [key(), key()];
    await h.putLog(a, burst.slice(0, 3));
    await h.putLog(b, burst.slice(3, 6));
    // Act
    const first = await deliver(a);
    const second = await deliver(b);
    const again = await deliver(b); // the same object delivered again
    // Assess
    expect(first.alerts.filter((x) => x.rule === RULE)).toEqual([]);
    expect(second.alerts.filter((x) => x.rule === RULE)).toHaveLength(1);
    // The same object also raises the catalog's single-event alert of each read (ec2.instance-secrets-read, low).
    expect(second.alerts.find((x) => x.rule === RULE)).toMatchObject({ rule: RULE, occurrences: 5, context: { count: 5, threshold: 5 }, runbook: { triage: [expect.any(String), expect.any(String)] } });
    expect(again.alerts).toEqual([]);
    const items = (await h.db.client.send(new ScanCommand({ TableName: TABLE }))).Items ?? [];
    const state = items.filter((i) => i.pk?.S?.startsWith(`${THRESHOLD_KEY_PREFIX}${RULE}#`));
    expect(state).toHaveLength(1);
    expect(Number(state[0]!.expiresAt!.N)).toBeGreaterThan(Date.now() / 1000);
  });

  it("sends the same threshold alert, once, when the object is retried after a failed publish", async () => {
    // Prepare: a new principal's burst (another session of the sequence's role) in one object.
    const other = burst.slice(0, 6).map((r) => ({
      ...r,
      eventID: `retry-${String(r.eventID)}`,
      userIdentity: { ...(r.userIdentity as object), arn: "arn:aws:sts::111122223333:assumed-role/other-role/s", sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/other-role", userName: "other-role", accountId: "111122223333" } } },
    }));
    const k = key();
    await h.putLog(k, other);
    h.snsFailNext(Object.assign(new Error("SNS is down"), { name: "InternalErrorException" }));
    // Act
    const failed = await deliver(k);
    const retried = await deliver(k, 2);
    // Assess: the first attempt failed its message; the retry sent the alert the first attempt raised.
    expect(failed.result.batchItemFailures).toHaveLength(1);
    expect(failed.alerts).toEqual([]);
    expect(retried.result.batchItemFailures).toEqual([]);
    const sent = retried.alerts.filter((x) => x.rule === RULE);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.principal).toBe("arn:aws:iam::111122223333:role/other-role");
  });
});
