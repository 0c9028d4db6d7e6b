import { accountOfArn, actsByHand, calledByAwsService, callerRoleName, fromConsoleSession } from "../../../functions/core/rules/caller";
import type { CloudTrailRecord } from "../../../functions/core/record/schema";

/** A minimal record with the identity and source fields the helpers read. */
function record(userIdentity: Record<string, unknown> | null, extra: Record<string, unknown> = {}): CloudTrailRecord {
  return { eventTime: "2026-10-14T09:00:00Z", eventSource: "lambda.amazonaws.com", eventName: "UpdateFunctionCode20150331v2", userIdentity, sourceIPAddress: "198.51.100.23", userAgent: "aws-cli/2.17.31", ...extra };
}

function role(name: string, path = "/"): Record<string, unknown> {
  return {
    type: "AssumedRole", arn: `arn:aws:sts::111122223333:assumed-role/${name}/session-1`, accountId: "111122223333",
    sessionContext: { sessionIssuer: { type: "Role", arn: `arn:aws:iam::111122223333:role${path}${name}`, userName: name } },
  };
}

describe("who stands behind a call", () => {
  it("tells an AWS service acting on its own or for a caller from the console", () => {
    expect(calledByAwsService(record({ type: "AWSService", invokedBy: "lambda.amazonaws.com" }))).toBe(true);
    expect(calledByAwsService(record({ ...role("ci-deployer"), invokedBy: "cloudformation.amazonaws.com" }))).toBe(true);
    expect(calledByAwsService(record(role("AWSServiceRoleForAutoScaling"), { sourceIPAddress: "autoscaling.amazonaws.com" }))).toBe(true);
    // The console signing in root, and "AWS Internal", are people, not services.
    expect(calledByAwsService(record({ type: "Root", invokedBy: "signin.amazonaws.com" }))).toBe(false);
    expect(calledByAwsService(record(role("DevAdministrator"), { sourceIPAddress: "AWS Internal" }))).toBe(false);
    expect(calledByAwsService(record(null))).toBe(false);
  });

  it("counts people and their long-term keys as acting by hand, pipelines and services not", () => {
    expect(actsByHand(record({ type: "IAMUser", userName: "dev-jane" }))).toBe(true);
    expect(actsByHand(record({ type: "Root" }))).toBe(true);
    expect(actsByHand(record({ type: "FederatedUser", arn: "arn:aws:sts::111122223333:federated-user/bob" }))).toBe(true);
    expect(actsByHand(record(role("AWSReservedSSO_AdministratorAccess_3f6a1c9e2b7d4e10", "/aws-reserved/sso.amazonaws.com/eu-west-1/")))).toBe(true);
    expect(actsByHand(record(role("DevAdministrator"), { sessionCredentialFromConsole: "true" }))).toBe(true);
    expect(actsByHand(record(role("DevAdministrator"), { userAgent: "console.ec2.amazonaws.com" }))).toBe(true);
    expect(actsByHand(record(role("ci-deployer")))).toBe(false);
    expect(actsByHand(record({ ...role("AWSReservedSSO_AdministratorAccess_3f6a1c9e2b7d4e10"), invokedBy: "cloudformation.amazonaws.com" }))).toBe(false);
    expect(actsByHand(record({ type: "AWSService", invokedBy: "ec2.amazonaws.com" }))).toBe(false);
  });

  it("reads console sessions from the flag (boolean or text) and the console user agents only", () => {
    expect(fromConsoleSession(record(role("x"), { sessionCredentialFromConsole: true }))).toBe(true);
    expect(fromConsoleSession(record(role("x"), { userAgent: "[S3Console/0.4, aws-internal/3 aws-sdk-java/1.12.750]" }))).toBe(true);
    expect(fromConsoleSession(record(role("x"), { userAgent: "console.amazonaws.com" }))).toBe(true);
    expect(fromConsoleSession(record(role("x"), { sessionCredentialFromConsole: "false", userAgent: "my-console.amazonaws.com.evil" }))).toBe(false);
    expect(fromConsoleSession(record(role("x"), { userAgent: "aws-cli/2.17.31 console.ec2.amazonaws.com" }))).toBe(false);
  });

  it("names the role of a session from its issuer, else from the session ARN", () => {
    expect(callerRoleName(record(role("ci-deployer")))).toBe("ci-deployer");
    expect(callerRoleName(record({ type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/tester/s" }))).toBe("tester");
    expect(callerRoleName(record({ type: "IAMUser", userName: "dev-jane" }))).toBeUndefined();
  });

  it("reads the account of an ARN and nothing from other text", () => {
    expect(accountOfArn("arn:aws:lambda:eu-west-1:444455556666:layer:x:3")).toBe("444455556666");
    expect(accountOfArn("arn:aws-us-gov:kms:us-gov-west-1:444455556666:key/abc")).toBe("444455556666");
    expect(accountOfArn("arn:aws:s3:::bucket")).toBeUndefined();
    expect(accountOfArn("alias/aws/s3")).toBeUndefined();
    expect(accountOfArn(undefined)).toBeUndefined();
  });
});
