import type { Alert } from "../../../functions/core/alert/alert";
import { RuleEngine } from "../../../functions/core/rules/engine";
import cloudtrailLoggingStopped from "../../../functions/core/rules/catalog/cloudtrail-logging-stopped";
import { TrailGuard } from "../../../functions/app/trail-guard/guard";
import { TRAIL_TAMPERING_RULE_ID, trailTamperingRule } from "../../../functions/core/rules/catalog/guard-only/cloudtrail-trail-tampering";
import { ACCOUNT, apiCall, TRAIL_ARN } from "../../handlers/trail-guard/events";

const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KEY_ID}`;

/** A guard with a chosen catalog, so these tests pin the catch-all rule and not the shared catalog. */
function guard(opts: { buckets?: string[]; keys?: string[]; catalog?: RuleEngine } = {}) {
  const sent: Alert[][] = [];
  const g = new TrailGuard({
    catalog: opts.catalog ?? new RuleEngine([]),
    fallback: new RuleEngine([trailTamperingRule], { settings: { [TRAIL_TAMPERING_RULE_ID]: { buckets: opts.buckets ?? [], keys: opts.keys ?? [] } } }),
    protectedTrails: [],
    remediation: {},
    control: { startLogging: jest.fn(), status: jest.fn() },
    sink: { send: async (a) => void sent.push(a) },
    self: async () => undefined,
  });
  return { g, sent };
}

async function one(g: ReturnType<typeof guard>, event: unknown): Promise<Alert> {
  const out = await g.g.handle(event);
  expect(out.outcome).toBe("alerted");
  expect(g.sent).toHaveLength(1);
  expect(g.sent[0]).toHaveLength(1);
  return g.sent[0]![0]!;
}

describe("the trail guard's catch-all rule (cloudtrail.trail-tampering)", () => {
  it.each([
    ["CreateTrail", { name: "decoy" }, "medium", "mallory created trail decoy"],
    ["AddTags", { resourceId: TRAIL_ARN, tagsList: [{ key: "owner", value: "x" }] }, "medium", "mallory tagged trail org-trail"],
    ["RemoveTags", { resourceId: TRAIL_ARN, tagsList: [{ key: "owner" }] }, "medium", "mallory removed tags from trail org-trail"],
    ["UpdateTrail", { name: "org-trail", enableLogFileValidation: true }, "medium", "mallory updated trail org-trail"],
    ["StopLogging", { name: TRAIL_ARN }, "high", "mallory stopped logging on trail org-trail"],
  ])("reports %s on a trail", async (eventName, requestParameters, severity, summary) => {
    const a = await one(guard(), apiCall({ eventName, requestParameters }));
    expect(a).toMatchObject({ rule: TRAIL_TAMPERING_RULE_ID, severity, summary, eventName, remediation: null });
  });

  it("reports a failed call as an attempt, one severity lower", async () => {
    const a = await one(guard(), apiCall({ eventName: "DeleteTrail", requestParameters: { name: "org-trail" }, errorCode: "AccessDenied" }));
    expect(a).toMatchObject({ severity: "medium", summary: "mallory tried to delete trail org-trail, but the call failed (AccessDenied)" });
    expect(a.context).toMatchObject({ outcome: "attempt failed: nothing changed", errorCode: "AccessDenied" });
  });

  it("reports changes to the trail bucket, and only to that bucket when it is named", async () => {
    const policy = { bucketName: "acme-cloudtrail-logs", bucketPolicy: { Version: "2012-10-17", Statement: [] } };
    const a = await one(guard({ buckets: ["acme-cloudtrail-logs"] }), apiCall({ eventName: "PutBucketPolicy", eventSource: "s3.amazonaws.com", requestParameters: policy }));
    expect(a).toMatchObject({ severity: "high", summary: "mallory changed the policy of trail bucket acme-cloudtrail-logs", context: expect.objectContaining({ bucket: "acme-cloudtrail-logs", policy: policy.bucketPolicy }) });

    const other = guard({ buckets: ["acme-cloudtrail-logs"] });
    const out = await other.g.handle(apiCall({ eventName: "DeleteBucket", eventSource: "s3.amazonaws.com", requestParameters: { bucketName: "scratch" } }));
    expect(out).toEqual({ outcome: "no-match", reason: "no rule matched s3.amazonaws.com DeleteBucket" });
    expect(other.sent).toEqual([]);
  });

  it("trusts the event pattern when the bucket is not named", async () => {
    const a = await one(guard(), apiCall({ eventName: "DeleteBucket", eventSource: "s3.amazonaws.com", requestParameters: { bucketName: "acme-cloudtrail-logs" } }));
    expect(a.summary).toBe("mallory deleted trail bucket acme-cloudtrail-logs");
  });

  it("recognises the trail key by id or ARN", async () => {
    const byId = await one(guard({ keys: [KEY_ARN] }), apiCall({ eventName: "DisableKey", eventSource: "kms.amazonaws.com", requestParameters: { keyId: KEY_ID } }));
    expect(byId).toMatchObject({ severity: "high", summary: `mallory disabled trail key ${KEY_ID}` });
    const byArn = await one(
      guard({ keys: [KEY_ID] }),
      apiCall({ eventName: "ScheduleKeyDeletion", eventSource: "kms.amazonaws.com", requestParameters: { keyId: KEY_ARN, pendingWindowInDays: 7 }, errorCode: "AccessDeniedException" }),
    );
    expect(byArn).toMatchObject({ severity: "medium", summary: `mallory tried to schedule deletion of trail key ${KEY_ID}, but the call failed (AccessDeniedException)` });
    const other = guard({ keys: [KEY_ARN] });
    expect((await other.g.handle(apiCall({ eventName: "DisableKey", eventSource: "kms.amazonaws.com", requestParameters: { keyId: "ffffffff-0000-0000-0000-000000000000" } }))).outcome).toBe("no-match");
  });

  it("reports an account leaving the Organization", async () => {
    const a = await one(guard(), apiCall({ eventName: "LeaveOrganization", eventSource: "organizations.amazonaws.com", requestParameters: null }));
    expect(a).toMatchObject({ severity: "high", summary: "mallory took the account out of the Organization (and its organization trail)" });
  });

  it("ignores calls that change nothing", async () => {
    const g = guard();
    expect((await g.g.handle(apiCall({ eventName: "DescribeTrails", requestParameters: {} }))).outcome).toBe("no-match");
    expect((await g.g.handle(apiCall({ eventName: "GetBucketPolicy", eventSource: "s3.amazonaws.com", requestParameters: { bucketName: "b" } }))).outcome).toBe("no-match");
  });

  it("stands aside when a catalog rule reported the event", async () => {
    const a = await one(guard({ catalog: new RuleEngine([cloudtrailLoggingStopped]) }), apiCall({ eventName: "StopLogging" }));
    expect(a.rule).toBe("cloudtrail.logging-stopped");
  });
});
