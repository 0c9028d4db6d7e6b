import { arnPatternProblem, DEFAULT_PROTECTED_TARGETS, protectedBy, rolePatternOf } from "../../../functions/core/remediation/protected-targets";

describe("protected targets", () => {
  it("protect the landing-zone, Organizations, stack-set and break-glass principals by default, in any account and partition", () => {
    const p = (arn: string) => protectedBy(DEFAULT_PROTECTED_TARGETS, arn);
    expect(p("arn:aws:iam::111122223333:role/AWSControlTowerExecution")).toBe("arn:*:iam::*:role/AWSControlTowerExecution");
    expect(p("arn:aws-us-gov:iam::111122223333:role/OrganizationAccountAccessRole")).toBe("arn:*:iam::*:role/OrganizationAccountAccessRole");
    expect(p("arn:aws:iam::111122223333:role/stacksets-exec-1a2b3c")).toBeDefined();
    expect(p("arn:aws:iam::111122223333:role/Ops-Break-Glass")).toBe("arn:*:iam::*:role/*break-glass*");
    expect(p("arn:aws:iam::111122223333:user/breakglass-1")).toBe("arn:*:iam::*:user/*breakglass*");
  });

  it("protect nothing else: other roles, a user named like a protected role, look-alikes", () => {
    const p = (arn: string) => protectedBy(DEFAULT_PROTECTED_TARGETS, arn);
    expect(p("arn:aws:iam::111122223333:role/ops-deployer")).toBeUndefined();
    expect(p("arn:aws:iam::111122223333:user/OrganizationAccountAccessRole")).toBeUndefined();
    expect(p("arn:aws:iam::111122223333:role/OrganizationAccountAccessRole2")).toBeUndefined();
    expect(p("arn:aws:s3:::break-glass-bucket")).toBeUndefined();
  });

  it("match ? as one character and treat regex characters in a pattern literally", () => {
    expect(protectedBy(["arn:aws:s3:::logs-?"], "arn:aws:s3:::logs-a")).toBe("arn:aws:s3:::logs-?");
    expect(protectedBy(["arn:aws:s3:::logs-?"], "arn:aws:s3:::logs-ab")).toBeUndefined();
    expect(protectedBy(["arn:aws:s3:::my.bucket"], "arn:aws:s3:::myxbucket")).toBeUndefined();
  });

  it("say what is wrong with a pattern that is not an ARN pattern", () => {
    expect(arnPatternProblem("arn:*:iam::*:role/*break-glass*")).toBeUndefined();
    expect(arnPatternProblem("arn:aws:ec2:eu-west-1:111122223333:security-group/sg-*")).toBeUndefined();
    expect(arnPatternProblem("break-glass")).toMatch(/^is not an ARN pattern: expected arn:<partition>/);
    expect(arnPatternProblem("arn:aws:iam::12345678901x:role/x")).toMatch(/is not an ARN pattern/);
    expect(arnPatternProblem(`arn:aws:s3:::${"a".repeat(600)}`)).toBe("is longer than 512 characters");
  });

  it("turn a role or session ARN into the pattern of the role's name in its account (no path)", () => {
    expect(rolePatternOf("arn:aws:iam::111122223333:role/service/trailwatch-remediator")).toBe("arn:*:iam::111122223333:role/trailwatch-remediator");
    expect(rolePatternOf("arn:aws:sts::111122223333:assumed-role/trailwatch-remediator/session")).toBe("arn:*:iam::111122223333:role/trailwatch-remediator");
    expect(rolePatternOf("arn:aws:iam::111122223333:user/alice")).toBeUndefined();
  });
});
