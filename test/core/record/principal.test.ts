import { resolvePrincipal, isAwsServicePrincipal, roleArnFromSessionArn } from "../../../functions/core/record/principal";

describe("resolvePrincipal", () => {
  it("names an IAM user by its ARN", () => {
    expect(resolvePrincipal({ type: "IAMUser", arn: "arn:aws:iam::111122223333:user/alice", userName: "alice", accountId: "111122223333" }))
      .toEqual({ id: "arn:aws:iam::111122223333:user/alice", type: "IAMUser", name: "alice", accountId: "111122223333" });
  });

  it("names an assumed role by its issuing role, keeping the session", () => {
    const p = resolvePrincipal({
      type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/ci-deploy/build-42", accountId: "111122223333",
      principalId: "AROAEXAMPLE:build-42",
      sessionContext: { sessionIssuer: { type: "Role", arn: "arn:aws:iam::111122223333:role/ci/ci-deploy", userName: "ci-deploy" } },
    });
    expect(p).toMatchObject({ id: "arn:aws:iam::111122223333:role/ci/ci-deploy", type: "AssumedRole", name: "ci-deploy", session: "build-42" });
  });

  it("derives the role from the session ARN when the issuer is missing", () => {
    expect(roleArnFromSessionArn("arn:aws:sts::111122223333:assumed-role/r/s")).toBe("arn:aws:iam::111122223333:role/r");
    expect(resolvePrincipal({ type: "AssumedRole", arn: "arn:aws:sts::111122223333:assumed-role/r/s" }).id).toBe("arn:aws:iam::111122223333:role/r");
  });

  it("resolves root, federated users, services, other accounts, Identity Center, SAML and web identities", () => {
    expect(resolvePrincipal({ type: "Root", arn: "arn:aws:iam::111122223333:root", accountId: "111122223333" })).toMatchObject({ id: "arn:aws:iam::111122223333:root", type: "Root", name: "root" });
    expect(resolvePrincipal({
      type: "FederatedUser", arn: "arn:aws:sts::111122223333:federated-user/bob", accountId: "111122223333",
      sessionContext: { sessionIssuer: { type: "IAMUser", arn: "arn:aws:iam::111122223333:user/broker", userName: "broker" } },
    })).toMatchObject({ id: "arn:aws:iam::111122223333:user/broker", type: "FederatedUser", session: "bob" });
    expect(resolvePrincipal({ type: "AWSService", invokedBy: "cloudtrail.amazonaws.com" })).toMatchObject({ id: "service:cloudtrail.amazonaws.com", type: "AWSService" });
    expect(resolvePrincipal({ type: "AWSAccount", accountId: "444455556666", principalId: "AIDAEXAMPLE" })).toMatchObject({ id: "account:444455556666/AIDAEXAMPLE", type: "AWSAccount" });
    expect(resolvePrincipal({
      type: "IdentityCenterUser", accountId: "111122223333", userName: "carol",
      onBehalfOf: { userId: "u-123", identityStoreArn: "arn:aws:identitystore::111122223333:identitystore/d-1" },
    })).toMatchObject({ id: "identitycenter:arn:aws:identitystore::111122223333:identitystore/d-1/u-123", name: "carol" });
    expect(resolvePrincipal({ type: "SAMLUser", identityProvider: "arn:aws:iam::111122223333:saml-provider/Okta", userName: "dave" }).id).toBe("saml:arn:aws:iam::111122223333:saml-provider/Okta/dave");
    expect(resolvePrincipal({ type: "WebIdentityUser", identityProvider: "accounts.google.com", userName: "e" }).id).toBe("webidentity:accounts.google.com/e");
  });

  it("never throws on missing or unknown identities", () => {
    expect(resolvePrincipal(undefined)).toEqual({ id: "unknown", type: "Unknown", name: "unknown" });
    expect(resolvePrincipal({ type: "SomethingNew", principalId: "X1" })).toMatchObject({ id: "X1", type: "Unknown" });
  });

  it("recognises AWS services and service-linked roles", () => {
    expect(isAwsServicePrincipal(resolvePrincipal({ type: "AWSService", invokedBy: "ec2.amazonaws.com" }))).toBe(true);
    expect(isAwsServicePrincipal({ id: "arn:aws:iam::1:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS", type: "AssumedRole", name: "x" })).toBe(true);
    expect(isAwsServicePrincipal({ id: "arn:aws:iam::1:role/app", type: "AssumedRole", name: "app" })).toBe(false);
  });
});
