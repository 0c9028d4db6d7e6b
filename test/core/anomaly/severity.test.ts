import { classifyAction } from "../../../functions/core/anomaly/actions";
import { rankNewBehavior } from "../../../functions/core/anomaly/severity";
import { parseRoleTrust } from "../../../functions/core/anomaly/trust";
import type { ObservedActivity } from "../../../functions/core/anomaly/activity";

const ACCT = "111122223333";
function a(source: string, name: string, writes = 0): ObservedActivity {
  return { account: ACCT, principal: "p", principalType: "AssumedRole", eventSource: `${source}.amazonaws.com`, eventName: name, firstSeen: "2026-11-20T10:00:00Z", lastSeen: "2026-11-20T10:00:00Z", count: 1, writes, region: "us-east-1", regions: 1 };
}

describe("action kinds", () => {
  it.each([
    ["cloudtrail", "StopLogging", 1, "evasion"],
    ["guardduty", "DeleteDetector", 1, "evasion"],
    ["iam", "CreateAccessKey", 1, "identity"],
    ["iam", "ListRoles", 0, "identity"],
    ["sts", "GetCallerIdentity", 0, "read"],
    ["kms", "Decrypt", 0, "crypto"],
    ["kms", "ListKeys", 0, "read"],
    ["secretsmanager", "GetSecretValue", 0, "data"],
    ["s3", "GetObject", 0, "data"],
    ["ec2", "RunInstances", 1, "write"],
    ["ec2", "DescribeInstances", 0, "read"],
  ] as const)("%s:%s is %s", (src, name, writes, kind) => {
    expect(classifyAction(`${src}.amazonaws.com`, name, writes)).toBe(kind);
  });

  it("falls back to the event name when CloudTrail gave no readOnly flag", () => {
    expect(classifyAction("ec2.amazonaws.com", "TerminateInstances")).toBe("write");
    expect(classifyAction("ec2.amazonaws.com", "DescribeVpcs")).toBe("read");
  });
});

describe("severity of new behaviour", () => {
  it("keeps a couple of new reads informational", () => {
    const r = rankNewBehavior({ principalType: "AssumedRole", newActions: [a("ec2", "DescribeVpcs"), a("ec2", "DescribeSubnets")] });
    expect(r.severity).toBe("info");
    expect(r.reasons[0]).toMatch(/2 new action\(s\) \(2 read\) score 2: info/);
  });

  it("ranks identity changes at least medium and many risky actions high", () => {
    expect(rankNewBehavior({ principalType: "AssumedRole", newActions: [a("iam", "CreateAccessKey", 1)] }).severity).toBe("medium");
    expect(rankNewBehavior({ principalType: "AssumedRole", newActions: [a("iam", "CreateUser", 1), a("iam", "AttachUserPolicy", 1)] }).severity).toBe("high");
  });

  it("makes turning off monitoring at least high and the root user one step worse", () => {
    expect(rankNewBehavior({ principalType: "IAMUser", newActions: [a("cloudtrail", "StopLogging", 1)] }).severity).toBe("high");
    const root = rankNewBehavior({ principalType: "Root", newActions: [a("cloudtrail", "StopLogging", 1)] });
    expect(root.severity).toBe("critical");
    expect(root.reasons.join(" ")).toMatch(/root user/);
  });

  it("raises a service role's or another account's role, not a federated one's", () => {
    const actions = [a("s3", "GetObject")];
    const service = parseRoleTrust({ Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }] }, ACCT);
    const cross = parseRoleTrust({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::999988887777:root" } }] }, ACCT);
    const fed = parseRoleTrust({ Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::111122223333:saml-provider/okta" } }] }, ACCT);
    expect(rankNewBehavior({ principalType: "AssumedRole", newActions: actions }).severity).toBe("low");
    expect(rankNewBehavior({ principalType: "AssumedRole", newActions: actions, trust: service }).severity).toBe("medium");
    expect(rankNewBehavior({ principalType: "AssumedRole", newActions: actions, trust: cross }).severity).toBe("medium");
    expect(rankNewBehavior({ principalType: "AssumedRole", newActions: actions, trust: fed }).severity).toBe("low");
  });
});

describe("role trust policies", () => {
  it("reads every statement, string and array principals, and '*'", () => {
    const doc = encodeURIComponent(JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Principal: { Service: ["lambda.amazonaws.com", "ec2.amazonaws.com"] }, Action: "sts:AssumeRole" },
        { Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:role/x", "999988887777"] }, Action: "sts:AssumeRole" },
        { Effect: "Deny", Principal: "*", Action: "sts:AssumeRole" },
        { Effect: "Allow", Action: "sts:TagSession" },
      ],
    }));
    expect(parseRoleTrust(doc, ACCT)).toEqual({ kinds: ["cross-account", "service", "same-account"], services: ["ec2.amazonaws.com", "lambda.amazonaws.com"], providers: [], accounts: ["111122223333", "999988887777"] });
    expect(parseRoleTrust({ Statement: { Effect: "Allow", Principal: "*" } }, ACCT).kinds).toEqual(["public"]);
  });
});
