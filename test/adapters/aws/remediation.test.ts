import { CloudTrailClient, GetTrailStatusCommand, StartLoggingCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand } from "@aws-sdk/client-ec2";
import {
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  IAMClient,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
  NoSuchEntityException,
} from "@aws-sdk/client-iam";
import { GetPublicAccessBlockCommand, PutPublicAccessBlockCommand, S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import {
  DetachAdminPolicyRemediator,
  RemediationTransientError,
  RestorePublicAccessBlockRemediator,
  RevokeWorldOpenIngressRemediator,
  StartLoggingRemediator,
} from "../../../functions/adapters/aws/remediation";
import { ACCOUNT, attachAdmin, authorizeIngress, deletePublicAccessBlock, record, stopLogging } from "../../handlers/log-analyzer/records";
import { awsError, findingFor, startRemediationS3, testClients, type RemediationS3 } from "./remediation-fixtures";

const cloudTrail = mockClient(CloudTrailClient);
const iam = mockClient(IAMClient);
const ec2 = mockClient(EC2Client);

beforeEach(() => {
  cloudTrail.reset();
  iam.reset();
  ec2.reset();
});

describe("cloudtrail.start-logging", () => {
  const trail = `arn:aws:cloudtrail:eu-west-1:${ACCOUNT}:trail/org-trail`;

  it("plans StartLogging on the trail of the event in its home region (dry-run touches nothing)", async () => {
    // Prepare
    const remediator = new StartLoggingRemediator(testClients());

    // Act
    const res = await remediator.apply(findingFor(stopLogging(trail), "cloudtrail.start-logging"), "dry-run");

    // Assess
    expect(res).toEqual({
      action: "cloudtrail.start-logging",
      mode: "dry-run",
      status: "planned",
      detail: `would call cloudtrail:GetTrailStatus {"Name":"${trail}"} in eu-west-1; then cloudtrail:StartLogging {"Name":"${trail}"} in eu-west-1`,
    });
    expect(cloudTrail.calls()).toHaveLength(0);
  });

  it("starts logging when the trail is still stopped, calling the trail's region", async () => {
    const clients = testClients();
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).resolves({});

    const res = await new StartLoggingRemediator(clients).apply(findingFor(stopLogging(trail), "cloudtrail.start-logging"), "apply");

    expect(res).toEqual({
      action: "cloudtrail.start-logging",
      mode: "apply",
      status: "succeeded",
      detail: `started logging on trail ${trail} in eu-west-1`,
      checks: { found: `trail ${trail} is not logging`, done: `started logging on trail ${trail} in eu-west-1` },
    });
    expect(cloudTrail.commandCalls(StartLoggingCommand)[0]!.args[0].input).toEqual({ Name: trail });
    expect(clients.regions).toEqual(["cloudtrail:eu-west-1"]);
  });

  it("uses the event's region for a trail named without an ARN", async () => {
    const clients = testClients();
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false }).on(StartLoggingCommand).resolves({});

    await new StartLoggingRemediator(clients).apply(findingFor(stopLogging("org-trail", { awsRegion: "ap-southeast-2" }), "cloudtrail.start-logging"), "apply");

    expect(clients.regions).toEqual(["cloudtrail:ap-southeast-2"]);
    expect(cloudTrail.commandCalls(StartLoggingCommand)[0]!.args[0].input).toEqual({ Name: "org-trail" });
  });

  it("skips a trail that is logging again or no longer exists", async () => {
    const f = findingFor(stopLogging(trail), "cloudtrail.start-logging");
    cloudTrail.on(GetTrailStatusCommand).resolvesOnce({ IsLogging: true }).rejectsOnce(awsError("TrailNotFoundException", 400));

    const logging = await new StartLoggingRemediator(testClients()).apply(f, "apply");
    const gone = await new StartLoggingRemediator(testClients()).apply(f, "apply");

    expect(logging).toMatchObject({ status: "skipped", detail: expect.stringMatching(/already logging again/) });
    expect(gone).toMatchObject({ status: "skipped", detail: expect.stringMatching(/no longer exists/) });
    expect(cloudTrail.commandCalls(StartLoggingCommand)).toHaveLength(0);
  });

  it("throws a transient error on throttling and reports AccessDenied as failed", async () => {
    const f = findingFor(stopLogging(trail), "cloudtrail.start-logging");
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    cloudTrail.on(StartLoggingCommand).rejectsOnce(awsError("ThrottlingException", 400, "Rate exceeded")).rejectsOnce(awsError("AccessDeniedException", 400, "not authorized"));

    const throttled = await new StartLoggingRemediator(testClients()).apply(f, "apply").catch((e: unknown) => e);
    const denied = await new StartLoggingRemediator(testClients()).apply(f, "apply");

    expect(throttled).toBeInstanceOf(RemediationTransientError);
    expect(denied).toMatchObject({ status: "failed", detail: expect.stringMatching(/cloudtrail:StartLogging .* failed: AccessDeniedException: not authorized/) });
  });

  it("does nothing for events other than StopLogging", async () => {
    const f = findingFor(record({ eventSource: "cloudtrail.amazonaws.com", eventName: "DeleteTrail", requestParameters: { name: "t" } }), "cloudtrail.start-logging");

    const res = await new StartLoggingRemediator(testClients()).apply(f, "apply");

    expect(res).toMatchObject({ status: "skipped", detail: expect.stringMatching(/only a StopLogging call/) });
    expect(cloudTrail.calls()).toHaveLength(0);
  });
});

describe("iam.detach-admin-policy", () => {
  const ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess";

  it.each([
    ["AttachUserPolicy", "userName", DetachUserPolicyCommand, "UserName", "iam:DetachUserPolicy"],
    ["AttachGroupPolicy", "groupName", DetachGroupPolicyCommand, "GroupName", "iam:DetachGroupPolicy"],
    ["AttachRolePolicy", "roleName", DetachRolePolicyCommand, "RoleName", "iam:DetachRolePolicy"],
  ] as const)("undoes %s with the exact policy ARN on the named principal, after checking it is still attached", async (eventName, param, command, field, action) => {
    // Prepare
    const listed = { AttachedPolicies: [{ PolicyName: "ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }, { PolicyName: "AdministratorAccess", PolicyArn: ADMIN }], IsTruncated: false };
    iam.on(ListAttachedUserPoliciesCommand).resolves(listed).on(ListAttachedGroupPoliciesCommand).resolves(listed).on(ListAttachedRolePoliciesCommand).resolves(listed).on(command as typeof DetachUserPolicyCommand).resolves({});
    const f = findingFor(attachAdmin("x", { eventName, requestParameters: { [param]: "ops", policyArn: ADMIN } }), "iam.detach-admin-policy");
    const list = action.replace("Detach", "ListAttached").replace("Policy", "Policies");
    // Act
    const planned = await new DetachAdminPolicyRemediator(testClients()).apply(f, "dry-run");
    const applied = await new DetachAdminPolicyRemediator(testClients()).apply(f, "apply");
    // Assess
    expect(planned.detail).toBe(`would call ${list} {"${field}":"ops"}; then ${action} {"${field}":"ops","PolicyArn":"${ADMIN}"}`);
    expect(applied).toMatchObject({ status: "succeeded", checks: { found: `${ADMIN} is attached to ${field.replace("Name", "").toLowerCase()} ops`, done: `detached ${ADMIN} from ${field.replace("Name", "").toLowerCase()} ops` } });
    expect(iam.calls().map((c) => [c.args[0].constructor.name, c.args[0].input])).toEqual([
      [list.replace("iam:", "") + "Command", { [field]: "ops", MaxItems: 100 }],
      [action.replace("iam:", "") + "Command", { [field]: "ops", PolicyArn: ADMIN }],
    ]);
  });

  it("leaves a principal alone when the re-check finds AdministratorAccess no longer attached (paging through its policies)", async () => {
    // Prepare: two pages, neither with AdministratorAccess.
    iam.on(ListAttachedRolePoliciesCommand)
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess" }], IsTruncated: true, Marker: "m1" })
      .resolvesOnce({ AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess-Amplify" }], IsTruncated: false });
    const f = findingFor(attachAdmin("x", { eventName: "AttachRolePolicy", requestParameters: { roleName: "ops", policyArn: ADMIN } }), "iam.detach-admin-policy");
    // Act
    const res = await new DetachAdminPolicyRemediator(testClients()).apply(f, "apply");
    // Assess
    expect(res).toEqual({
      action: "iam.detach-admin-policy",
      mode: "apply",
      status: "skipped",
      detail: "AdministratorAccess is no longer attached to role ops; nothing to do",
      checks: { found: `${ADMIN} is not attached to role ops` },
    });
    expect(iam.commandCalls(ListAttachedRolePoliciesCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: "ops", MaxItems: 100 }, { RoleName: "ops", MaxItems: 100, Marker: "m1" }]);
    expect(iam.commandCalls(DetachRolePolicyCommand)).toHaveLength(0);
  });

  it("counts NoSuchEntity (detached meanwhile, or principal gone) as skipped, not failed", async () => {
    iam.on(ListAttachedUserPoliciesCommand).resolves({ AttachedPolicies: [{ PolicyArn: ADMIN }] });
    iam.on(DetachUserPolicyCommand).rejects(new NoSuchEntityException({ message: "Policy is not attached", $metadata: { httpStatusCode: 404 } }));

    const res = await new DetachAdminPolicyRemediator(testClients()).apply(findingFor(attachAdmin("bob"), "iam.detach-admin-policy"), "apply");

    expect(res).toMatchObject({ status: "skipped", detail: expect.stringMatching(/no longer attached to user bob/) });
  });

  it("leaves look-alike policies and inline admin grants alone", async () => {
    const amplify = findingFor(attachAdmin("bob", { requestParameters: { userName: "bob", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess-Amplify" } }), "iam.detach-admin-policy");
    const inline = findingFor(record({ eventSource: "iam.amazonaws.com", eventName: "PutUserPolicy", requestParameters: { userName: "bob", policyName: "p", policyDocument: "{}" } }), "iam.detach-admin-policy");

    const a = await new DetachAdminPolicyRemediator(testClients()).apply(amplify, "apply");
    const b = await new DetachAdminPolicyRemediator(testClients()).apply(inline, "apply");

    expect(a).toMatchObject({ status: "skipped", detail: expect.stringMatching(/not AdministratorAccess/) });
    expect(b).toMatchObject({ status: "skipped", detail: expect.stringMatching(/PutUserPolicy needs a person/) });
    expect(iam.calls()).toHaveLength(0);
  });

  it("accepts AdministratorAccess of other partitions", () => {
    const f = findingFor(attachAdmin("bob", { requestParameters: { userName: "bob", policyArn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" } }), "iam.detach-admin-policy");

    expect(new DetachAdminPolicyRemediator(testClients()).plan(f)).toMatchObject({ calls: [{}, { input: { PolicyArn: "arn:aws-us-gov:iam::aws:policy/AdministratorAccess" } }] });
  });
});

describe("s3.restore-public-access-block", () => {
  const ALL_ON = { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true };
  const f = (rec: Record<string, unknown>) => findingFor(rec, "s3.restore-public-access-block");
  /** moto's S3 with these buckets, behind a proxy that owns them as ACCOUNT. */
  let local: RemediationS3;
  let sent: () => string[];

  beforeAll(async () => {
    local = await startRemediationS3(["customer-data", "team-bucket"]);
  });
  beforeEach(async () => {
    await local.clearPublicAccessBlocks();
    const before = local.proxy.requests.length;
    // Without the query values, which the SDK may write as `?publicAccessBlock` or `?publicAccessBlock=`.
    sent = () => local.proxy.requests.slice(before).map((r) => r.replace(/=(?=&|$)/g, ""));
  });
  afterAll(async () => {
    await local?.stop();
  });

  it("turns all four settings on for a bucket without any, calling the event's region with the event account as expected owner", async () => {
    // Prepare
    const clients = testClients({ s3: local.clients() });

    // Act
    const res = await new RestorePublicAccessBlockRemediator(clients).apply(f(deletePublicAccessBlock("customer-data", { awsRegion: "eu-central-1" })), "apply");

    // Assess
    expect(res).toMatchObject({ status: "succeeded", detail: "turned on all four Block Public Access settings for bucket customer-data" });
    expect(await local.publicAccessBlock("customer-data")).toEqual(ALL_ON);
    expect(sent()).toEqual(["GET /customer-data/?publicAccessBlock", "PUT /customer-data/?publicAccessBlock"]);
    expect(clients.regions).toEqual(["s3:eu-central-1"]);
  });

  it("turns the missing settings on for a bucket whose Block Public Access was weakened", async () => {
    // Prepare
    await local.setPublicAccessBlock("team-bucket", { ...ALL_ON, RestrictPublicBuckets: false });
    const weakened = record({ eventName: "PutBucketPublicAccessBlock", requestParameters: { bucketName: "team-bucket", PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false } } });

    // Act
    const res = await new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients() })).apply(f(weakened), "apply");

    // Assess
    expect(res.status).toBe("succeeded");
    expect(await local.publicAccessBlock("team-bucket")).toEqual(ALL_ON);
  });

  it("only touches the event account's bucket: S3 refuses another owner's bucket of that name, reported as failed", async () => {
    // Prepare: the event is another account's; the local bucket belongs to ACCOUNT.
    const elsewhere = deletePublicAccessBlock("customer-data", { recipientAccountId: "444455556666" });

    // Act
    const res = await new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients() })).apply(f(elsewhere), "apply");

    // Assess
    expect(res).toMatchObject({ status: "failed", detail: expect.stringMatching(/s3:GetBucketPublicAccessBlock .*"ExpectedBucketOwner":"444455556666".* failed: AccessDenied: Access Denied/) });
    expect(await local.publicAccessBlock("customer-data")).toBeUndefined();
    expect(sent()).toEqual(["GET /customer-data/?publicAccessBlock"]);
  });

  it("sends the event account as expected owner on both calls and all four settings on, as the SDK receives them", async () => {
    // Prepare: one client instance mocked (the other tests' clients talk to moto).
    const client = new S3Client({ region: "eu-west-1", credentials: { accessKeyId: "T", secretAccessKey: "T" } });
    const s3 = mockClient(client);
    s3.on(GetPublicAccessBlockCommand).resolves({ PublicAccessBlockConfiguration: { ...ALL_ON, BlockPublicPolicy: false } }).on(PutPublicAccessBlockCommand).resolves({});

    // Act
    const res = await new RestorePublicAccessBlockRemediator(testClients({ s3: () => client })).apply(f(deletePublicAccessBlock("customer-data", { awsRegion: "eu-west-1" })), "apply");

    // Assess
    expect(res.status).toBe("succeeded");
    expect(s3.commandCalls(GetPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: "customer-data", ExpectedBucketOwner: ACCOUNT }]);
    expect(s3.commandCalls(PutPublicAccessBlockCommand).map((c) => c.args[0].input)).toEqual([{ Bucket: "customer-data", ExpectedBucketOwner: ACCOUNT, PublicAccessBlockConfiguration: ALL_ON }]);
    s3.restore();
  });

  it("skips a bucket that is fully blocked already", async () => {
    // Prepare
    await local.setPublicAccessBlock("customer-data", { ...ALL_ON });

    // Act
    const res = await new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients() })).apply(f(deletePublicAccessBlock()), "apply");

    // Assess
    expect(res).toMatchObject({ status: "skipped", detail: expect.stringMatching(/all four Block Public Access settings on already/) });
    expect(sent()).toEqual(["GET /customer-data/?publicAccessBlock"]);
  });

  it("skips a bucket that no longer exists", async () => {
    // Act
    const res = await new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients() })).apply(f(deletePublicAccessBlock("deleted-bucket")), "apply");

    // Assess
    expect(res).toMatchObject({ status: "skipped", detail: "bucket deleted-bucket no longer exists; nothing to protect (NoSuchBucket from s3:GetBucketPublicAccessBlock)" });
    expect(sent()).toEqual(["GET /deleted-bucket/?publicAccessBlock"]);
  });

  it("plans without calling S3 in dry-run", async () => {
    // Act
    const res = await new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients() })).apply(f(deletePublicAccessBlock()), "dry-run");

    // Assess
    expect(res).toMatchObject({ status: "planned", detail: expect.stringMatching(/^would call s3:GetBucketPublicAccessBlock .*; then s3:PutBucketPublicAccessBlock \{"Bucket":"customer-data",/) });
    expect(sent()).toEqual([]);
  });

  it("restores a weakened setting and a bucket made public by ACL, but not account-level settings or a fully-on call", async () => {
    const plan = (rec: Record<string, unknown>) => new RestorePublicAccessBlockRemediator(testClients()).plan(f(rec));
    const weakened = record({ eventName: "PutBucketPublicAccessBlock", requestParameters: { bucketName: "team-bucket", PublicAccessBlockConfiguration: { ...ALL_ON, RestrictPublicBuckets: false } } });
    const allOn = record({ eventName: "PutBucketPublicAccessBlock", requestParameters: { bucketName: "team-bucket", PublicAccessBlockConfiguration: { BlockPublicAcls: "true", IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true } } });
    const acl = record({ eventName: "PutBucketAcl", requestParameters: { bucketName: "b2", "x-amz-acl": ["public-read"] } });
    const account = record({ eventSource: "s3.amazonaws.com", eventName: "DeleteAccountPublicAccessBlock", requestParameters: {} });

    expect(plan(weakened)).toMatchObject({ target: "bucket team-bucket" });
    expect(plan(allOn)).toMatchObject({ skip: expect.stringMatching(/turned all four .* on/) });
    expect(plan(acl)).toMatchObject({ target: "bucket b2" });
    expect(plan(account)).toMatchObject({ skip: expect.stringMatching(/not a bucket-level change/) });
  });

  it("throws a transient error when S3 still answers 503 after the client's attempts, and not when a retry gets through", async () => {
    // Prepare
    local.proxy.failNext(1, { status: 503, code: "ServiceUnavailable", method: "PUT" });
    const failing = new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients(1) }));
    const retrying = new RestorePublicAccessBlockRemediator(testClients({ s3: local.clients(2) }));

    // Act
    const err = await failing.apply(f(deletePublicAccessBlock()), "apply").catch((e: unknown) => e);
    local.proxy.failNext(1, { status: 503, code: "SlowDown", method: "PUT" });
    const retried = await retrying.apply(f(deletePublicAccessBlock()), "apply");

    // Assess
    expect(err).toBeInstanceOf(RemediationTransientError);
    expect((err as Error).message).toMatch(/s3:PutBucketPublicAccessBlock .* failed: ServiceUnavailable/);
    expect(retried.status).toBe("succeeded");
    const [get, put] = ["GET /customer-data/?publicAccessBlock", "PUT /customer-data/?publicAccessBlock"];
    expect(sent()).toEqual([get, put, get, put, put]);
  });
});

describe("ec2.revoke-world-open-ingress", () => {
  const rule = (id: string, over: Record<string, unknown>) => ({ SecurityGroupRuleId: id, GroupId: "sg-0abc", IsEgress: false, ...over });

  it("revokes by the security group rule ids of the response, only those open to /0 and still there", async () => {
    // Prepare: sgr-3 was already removed by someone.
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [rule("sgr-1", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" })] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const rec = authorizeIngress("sg-0abc", [["tcp", 22, 22, ["0.0.0.0/0", "10.0.0.0/8"]], ["tcp", 3389, 3389, ["::/0"]]], { ruleIds: ["sgr-1", "sgr-2", "sgr-3"] });
    // Act
    const res = await new RevokeWorldOpenIngressRemediator(testClients()).apply(findingFor(rec, "ec2.revoke-world-open-ingress"), "apply");
    // Assess
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]!.args[0].input).toEqual({ SecurityGroupRuleIds: ["sgr-1", "sgr-3"] });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({ GroupId: "sg-0abc", SecurityGroupRuleIds: ["sgr-1"] });
    expect(res).toMatchObject({
      status: "succeeded",
      detail: "revoked world-open ingress rule(s) sgr-1 (tcp 22 from 0.0.0.0/0) of security group sg-0abc",
      checks: { found: "still open to the world in security group sg-0abc: sgr-1 (tcp 22 from 0.0.0.0/0)" },
    });
  });

  it("without rule ids, plans the event's permissions reduced to their /0 ranges, and revokes the group's rules that match them", async () => {
    // Prepare: the group's rules now; only the two the event opened to /0 match.
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        rule("sgr-ssh", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" }),
        rule("sgr-all6", { IpProtocol: "-1", FromPort: -1, ToPort: -1, CidrIpv6: "::/0" }),
        rule("sgr-private", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "10.0.0.0/8" }),
        rule("sgr-https", { IpProtocol: "tcp", FromPort: 443, ToPort: 443, CidrIpv4: "0.0.0.0/0" }),
        rule("sgr-egress", { IsEgress: true, IpProtocol: "-1", CidrIpv4: "0.0.0.0/0" }),
      ],
    });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const rec = authorizeIngress("sg-0abc", [["tcp", 22, 22, ["0.0.0.0/0", "10.0.0.0/8"]], ["-1", undefined, undefined, ["::/0"]], ["tcp", 5432, 5432, ["192.168.0.0/16"]]]);
    const f = findingFor(rec, "ec2.revoke-world-open-ingress");
    // Act
    const planned = await new RevokeWorldOpenIngressRemediator(testClients()).apply(f, "dry-run");
    const applied = await new RevokeWorldOpenIngressRemediator(testClients()).apply(f, "apply");
    // Assess
    expect(planned).toMatchObject({
      status: "planned",
      detail:
        'would call ec2:DescribeSecurityGroupRules {"Filters":[{"Name":"group-id","Values":["sg-0abc"]}]} in us-east-1; then ' +
        'ec2:RevokeSecurityGroupIngress {"GroupId":"sg-0abc","IpPermissions":[{"IpProtocol":"tcp","FromPort":22,"ToPort":22,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]},{"IpProtocol":"-1","Ipv6Ranges":[{"CidrIpv6":"::/0"}]}]} in us-east-1',
    });
    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]!.args[0].input).toEqual({ Filters: [{ Name: "group-id", Values: ["sg-0abc"] }], MaxResults: 1000 });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({ GroupId: "sg-0abc", SecurityGroupRuleIds: ["sgr-ssh", "sgr-all6"] });
    expect(applied).toMatchObject({ status: "succeeded", checks: { done: "revoked world-open ingress rule(s) sgr-ssh (tcp 22 from 0.0.0.0/0), sgr-all6 (all traffic from ::/0) of security group sg-0abc" } });
  });

  it("finds the id of a group named by name only, then re-checks its rules", async () => {
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: "sg-0def", GroupName: "web" }] });
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({ SecurityGroupRules: [rule("sgr-w", { GroupId: "sg-0def", IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" })] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const rec = authorizeIngress("unused", [["6", 22, 22, ["0.0.0.0/0"]]], { over: { requestParameters: { groupName: "web", ipPermissions: { items: [{ ipProtocol: "6", fromPort: 22, toPort: 22, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }] } } } });

    const res = await new RevokeWorldOpenIngressRemediator(testClients()).apply(findingFor(rec, "ec2.revoke-world-open-ingress"), "apply");

    expect(ec2.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input).toEqual({ GroupNames: ["web"] });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({ GroupId: "sg-0def", SecurityGroupRuleIds: ["sgr-w"] });
    expect(res.status).toBe("succeeded");
  });

  it("keeps ports the rule allows open to the world (e.g. 443 on a public load balancer)", () => {
    const rec = authorizeIngress("sg-lb", [["tcp", 443, 443, ["0.0.0.0/0"]], ["tcp", 22, 22, ["0.0.0.0/0"]]], { ruleIds: ["sgr-443", "sgr-22"] });

    const plan = new RevokeWorldOpenIngressRemediator(testClients()).plan(findingFor(rec, "ec2.revoke-world-open-ingress", { allowedPorts: [80, 443] }));

    expect(plan).toMatchObject({ calls: [{ input: { SecurityGroupRuleIds: ["sgr-22"] } }, { input: { GroupId: "sg-lb", SecurityGroupRuleIds: ["sgr-22"] } }] });
  });

  it("looks up ModifySecurityGroupRules rules and revokes only those that are ingress and still open to /0", async () => {
    ec2.on(DescribeSecurityGroupRulesCommand).resolves({
      SecurityGroupRules: [
        { SecurityGroupRuleId: "sgr-in", IsEgress: false, CidrIpv4: "0.0.0.0/0" },
        { SecurityGroupRuleId: "sgr-out", IsEgress: true, CidrIpv4: "0.0.0.0/0" },
      ],
    }).on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const rec = record({
      eventSource: "ec2.amazonaws.com",
      eventName: "ModifySecurityGroupRules",
      requestParameters: { ModifySecurityGroupRulesRequest: { GroupId: "sg-9", SecurityGroupRule: [
        { SecurityGroupRuleId: "sgr-in", SecurityGroupRule: { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" } },
        { SecurityGroupRuleId: "sgr-out", SecurityGroupRule: { IpProtocol: "-1", CidrIpv4: "0.0.0.0/0" } },
      ] } },
    });

    const res = await new RevokeWorldOpenIngressRemediator(testClients()).apply(findingFor(rec, "ec2.revoke-world-open-ingress"), "apply");

    expect(ec2.commandCalls(DescribeSecurityGroupRulesCommand)[0]!.args[0].input).toEqual({ SecurityGroupRuleIds: ["sgr-in", "sgr-out"] });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)[0]!.args[0].input).toEqual({ GroupId: "sg-9", SecurityGroupRuleIds: ["sgr-in"] });
    expect(res.status).toBe("succeeded");
  });

  it("leaves a group alone when the re-check finds the opening closed, and counts a rule gone meanwhile as skipped", async () => {
    // Prepare: the first re-check finds only a private rule; the second finds the rule, which is gone by the revoke.
    ec2.on(DescribeSecurityGroupRulesCommand)
      .resolvesOnce({ SecurityGroupRules: [rule("sgr-p", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "10.0.0.0/8" })] })
      .resolvesOnce({ SecurityGroupRules: [rule("sgr-o", { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" })] });
    ec2.on(RevokeSecurityGroupIngressCommand).rejects(awsError("InvalidSecurityGroupRuleId.NotFound", 400));
    const f = findingFor(authorizeIngress("sg-0abc", [["tcp", 22, 22, ["0.0.0.0/0"]]]), "ec2.revoke-world-open-ingress");
    // Act
    const closed = await new RevokeWorldOpenIngressRemediator(testClients()).apply(f, "apply");
    const gone = await new RevokeWorldOpenIngressRemediator(testClients()).apply(f, "apply");
    // Assess
    expect(closed).toMatchObject({ status: "skipped", detail: expect.stringMatching(/no longer there; nothing to revoke/), checks: { found: expect.stringMatching(/^no rule of security group sg-0abc/) } });
    expect(gone).toMatchObject({ status: "skipped", detail: expect.stringMatching(/no longer there \(InvalidSecurityGroupRuleId.NotFound/) });
    expect(ec2.commandCalls(RevokeSecurityGroupIngressCommand)).toHaveLength(1);
  });

  it("does nothing when the event opened nothing to /0", async () => {
    const rec = authorizeIngress("sg-0abc", [["tcp", 22, 22, ["10.0.0.0/8"]]]);

    const res = await new RevokeWorldOpenIngressRemediator(testClients()).apply(findingFor(rec, "ec2.revoke-world-open-ingress"), "apply");

    expect(res.status).toBe("skipped");
    expect(ec2.calls()).toHaveLength(0);
  });
});
