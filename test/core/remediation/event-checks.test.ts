import { parseRecord, type CloudTrailRecord } from "../../../functions/core/record/schema";
import { logKeyAccount } from "../../../functions/core/aws/cloudtrail-keys";
import { accountSegmentProblem, eventAgeProblem, eventCopyDifferences } from "../../../functions/core/remediation/event-checks";
import { attachAdmin } from "../../handlers/log-analyzer/records";

const typed = (r: Record<string, unknown>): CloudTrailRecord => {
  const p = parseRecord(r);
  if (!p.ok) throw new Error(p.reason);
  return p.record;
};

describe("logKeyAccount", () => {
  it("reads the account segment of both CloudTrail layouts, with or without a key prefix", () => {
    expect(logKeyAccount("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/23/f.json.gz")).toBe("111122223333");
    expect(logKeyAccount("trails/prod/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1/2026/11/23/f.json.gz")).toBe("444455556666");
    expect(logKeyAccount("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/23/f.json.gz")).toBe("111122223333");
  });

  it("takes the last log path of a key, so a prefix that looks like one cannot stand in for it, and finds none in other keys", () => {
    expect(logKeyAccount("AWSLogs/111122223333/CloudTrail/x/AWSLogs/999988887777/CloudTrail/us-east-1/f.json.gz")).toBe("999988887777");
    expect(logKeyAccount("AWSLogs/12345/CloudTrail/us-east-1/f.json.gz")).toBeUndefined();
    expect(logKeyAccount("uploads/AWSLogs/111122223333/other/f.json.gz")).toBeUndefined();
    expect(logKeyAccount("")).toBeUndefined();
  });
});

describe("accountSegmentProblem", () => {
  it("accepts the key of the event's own account and names both accounts otherwise, with control characters of the key escaped", () => {
    const r = typed(attachAdmin("x"));
    expect(accountSegmentProblem(r, { bucket: "b", key: "AWSLogs/111122223333/CloudTrail/us-east-1/f.json.gz" })).toBeUndefined();
    expect(accountSegmentProblem(r, { bucket: "b", key: "AWSLogs/999988887777/CloudTrail/us-east-1/f\u001b[31m.json.gz" })).toBe(
      "the event's account 111122223333 is not the account 999988887777 of the log object s3://b/AWSLogs/999988887777/CloudTrail/us-east-1/f\\u001b[31m.json.gz",
    );
  });
});

describe("eventAgeProblem", () => {
  const now = new Date("2026-11-23T11:00:00Z");
  const hour = 3600_000;

  it("accepts an event within the limit and a little clock skew, and refuses older, far-future and undated ones", () => {
    expect(eventAgeProblem("2026-11-23T10:00:00Z", now, hour)).toBeUndefined();
    expect(eventAgeProblem("2026-11-23T11:04:00Z", now, hour)).toBeUndefined();
    expect(eventAgeProblem("2026-11-23T09:59:59Z", now, hour)).toMatch(/^the event is 60 min old \(at 2026-11-23T09:59:59Z\); events older than 60 min are never remediated$/);
    expect(eventAgeProblem("2026-11-20T11:00:00Z", now, hour)).toMatch(/is 3 days old/);
    expect(eventAgeProblem("2026-11-23T11:30:00Z", now, hour)).toBe("the event time 2026-11-23T11:30:00Z is 30 min in the future");
    expect(eventAgeProblem("yesterday", now, hour)).toBe('the event time "yesterday" is not a date');
  });
});

describe("eventCopyDifferences", () => {
  it("finds no difference between identical copies, nor between the same instant written two ways", () => {
    const r = attachAdmin("x");
    expect(eventCopyDifferences(typed(r), typed(structuredClone(r)))).toEqual([]);
    expect(eventCopyDifferences(typed({ ...r, eventTime: "2026-11-23T10:00:00Z" }), typed({ ...r, eventTime: "2026-11-23T10:00:00.000Z" }))).toEqual([]);
  });

  it("names each fact that differs: source, name, region, account, caller, access key, outcome", () => {
    const r = attachAdmin("x");
    const other = {
      ...r,
      eventSource: "sts.amazonaws.com",
      eventName: "AttachGroupPolicy",
      awsRegion: "eu-west-1",
      recipientAccountId: "999988887777",
      userIdentity: { ...(r.userIdentity as object), arn: "arn:aws:iam::111122223333:user/eve", accessKeyId: "AKIAOTHER" },
      errorCode: "AccessDenied",
    };
    expect(eventCopyDifferences(typed(r), typed(other)).map((d) => d.split(":")[0])).toEqual([
      "eventSource",
      "eventName",
      "awsRegion",
      "account",
      "userIdentity.arn",
      "userIdentity.accessKeyId",
      "errorCode",
    ]);
  });

  it("bounds the values it quotes (record fields are attacker-chosen)", () => {
    const r = attachAdmin("x");
    const [d] = eventCopyDifferences(typed({ ...r, eventName: "A".repeat(10_000) }), typed(r));
    expect(d!.length).toBeLessThan(300);
  });
});
