import { PairAggregator } from "../../../functions/core/scoring";

const ACCT = "111122223333";
function rec(over: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: "1.08", eventTime: "2026-11-20T10:00:00Z", eventSource: "s3.amazonaws.com", eventName: "GetObject",
    sourceIPAddress: "203.0.113.9", eventID: "e1",
    userIdentity: { type: "IAMUser", arn: `arn:aws:iam::${ACCT}:user/alice`, accountId: ACCT, userName: "alice" },
    ...over,
  };
}
const session = (name: string) => ({
  type: "AssumedRole", arn: `arn:aws:sts::${ACCT}:assumed-role/deployer/${name}`, accountId: ACCT,
  sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::${ACCT}:role/deployer`, userName: "deployer" } },
});

describe("counting (principal, API) pairs", () => {
  it("counts each pair once per record and keeps the first and last time", () => {
    const agg = new PairAggregator();
    agg.add(rec({ eventTime: "2026-11-20T10:00:00Z", eventID: "b" }));
    agg.add(rec({ eventTime: "2026-11-20T08:00:00Z", eventID: "a" }));
    agg.add(rec({ eventTime: "2026-11-20T12:00:00Z", eventID: "c" }));
    agg.add(rec({ eventName: "PutObject" }));

    const [get, put] = agg.pairs().sort((x, y) => x.eventName.localeCompare(y.eventName));
    expect(get).toMatchObject({ principal: `arn:aws:iam::${ACCT}:user/alice`, principalType: "IAMUser", count: 3, firstSeen: "2026-11-20T08:00:00Z", lastSeen: "2026-11-20T12:00:00Z", firstEventId: "a" });
    expect(put!.count).toBe(1);
  });

  it("counts an assumed role's sessions under the role, not per session", () => {
    const agg = new PairAggregator();
    agg.add(rec({ userIdentity: session("ci-1") }));
    agg.add(rec({ userIdentity: session("ci-2") }));

    expect(agg.pairs()).toHaveLength(1);
    expect(agg.pairs()[0]).toMatchObject({ principal: `arn:aws:iam::${ACCT}:role/deployer`, count: 2 });
  });

  it("keeps the same API name of two services apart", () => {
    const agg = new PairAggregator();
    agg.add(rec({ eventSource: "lambda.amazonaws.com", eventName: "ListTags" }));
    agg.add(rec({ eventSource: "rds.amazonaws.com", eventName: "ListTags" }));
    expect(agg.size).toBe(2);
  });

  it("leaves out AWS services acting on their own, and counts them", () => {
    const agg = new PairAggregator();
    expect(agg.add(rec({ sourceIPAddress: "cloudformation.amazonaws.com" }))).toBe(false);
    expect(agg.add(rec({ userIdentity: { type: "AWSService", invokedBy: "ec2.amazonaws.com" } }))).toBe(false);
    expect(agg.add(rec({ userIdentity: { type: "AssumedRole", arn: `arn:aws:sts::${ACCT}:assumed-role/AWSServiceRoleForConfig/x`, sessionContext: { sessionIssuer: { arn: `arn:aws:iam::${ACCT}:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig` } } } }))).toBe(false);
    agg.add(rec({}));

    expect(agg.stats).toEqual({ records: 1, serviceRecords: 3, unknownPrincipal: 0 });
  });

  it("keeps records with no ARN under the best id there is, instead of dropping them", () => {
    const agg = new PairAggregator();
    agg.add(rec({ userIdentity: { type: "Root", accountId: ACCT } }));
    agg.add(rec({ userIdentity: undefined }));
    expect(agg.pairs().map((p) => p.principal).sort()).toEqual([`arn:aws:iam::${ACCT}:root`, "unknown"]);
    expect(agg.stats.unknownPrincipal).toBe(1);
  });

  it("merges partial counts of the same day to the same result in any order", () => {
    const a = new PairAggregator();
    a.add(rec({ eventTime: "2026-11-20T09:00:00Z", eventID: "z" }));
    const b = new PairAggregator();
    b.add(rec({ eventTime: "2026-11-20T09:00:00Z", eventID: "y" }));
    b.add(rec({ eventTime: "2026-11-20T11:00:00Z", eventID: "x" }));

    const ab = new PairAggregator();
    ab.merge(a.pairs());
    ab.merge(b.pairs());
    const ba = new PairAggregator();
    ba.merge(b.pairs());
    ba.merge(a.pairs());

    expect(ab.pairs()).toEqual(ba.pairs());
    expect(ab.pairs()[0]).toMatchObject({ count: 3, firstEventId: "y", lastSeen: "2026-11-20T11:00:00Z" });
  });
});
