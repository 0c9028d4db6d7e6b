import { CloudTrailClient, GetTrailStatusCommand } from "@aws-sdk/client-cloudtrail";
import { DescribeSecurityGroupRulesCommand, DescribeSecurityGroupsCommand, EC2Client, RevokeSecurityGroupIngressCommand, type SecurityGroupRule } from "@aws-sdk/client-ec2";
import { IAMClient, ListAttachedGroupPoliciesCommand, ListAttachedRolePoliciesCommand, ListAttachedUserPoliciesCommand } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { createRemediators, PlannedRemediator } from "../../../functions/adapters/aws/remediation";
import { REMEDIATION_PERMISSIONS, allRemediationActions } from "../../../functions/core/remediation/permissions";
import type { RemediationId } from "../../../functions/core/rules/rule";
import { attachAdmin, authorizeIngress, deletePublicAccessBlock, record, stopLogging } from "../../handlers/log-analyzer/records";
import { findingFor, testClients } from "./remediation-fixtures";

/** The IAM action each SDK command is authorized by (AWS Service Authorization Reference). */
const ACTION_OF_COMMAND: Record<string, string> = {
  StartLoggingCommand: "cloudtrail:StartLogging",
  GetTrailStatusCommand: "cloudtrail:GetTrailStatus",
  DetachUserPolicyCommand: "iam:DetachUserPolicy",
  DetachGroupPolicyCommand: "iam:DetachGroupPolicy",
  DetachRolePolicyCommand: "iam:DetachRolePolicy",
  ListAttachedUserPoliciesCommand: "iam:ListAttachedUserPolicies",
  ListAttachedGroupPoliciesCommand: "iam:ListAttachedGroupPolicies",
  ListAttachedRolePoliciesCommand: "iam:ListAttachedRolePolicies",
  DescribeSecurityGroupsCommand: "ec2:DescribeSecurityGroups",
  RevokeSecurityGroupIngressCommand: "ec2:RevokeSecurityGroupIngress",
  DescribeSecurityGroupRulesCommand: "ec2:DescribeSecurityGroupRules",
  // Note the names: PutPublicAccessBlock on a bucket is s3:PutBucketPublicAccessBlock.
  GetPublicAccessBlockCommand: "s3:GetBucketPublicAccessBlock",
  PutPublicAccessBlockCommand: "s3:PutBucketPublicAccessBlock",
};

/** Events that drive every code path of each remediator that calls AWS. */
const SCENARIOS: Record<RemediationId, Record<string, unknown>[]> = {
  "cloudtrail.start-logging": [stopLogging(), stopLogging("org-trail")],
  "iam.detach-admin-policy": [
    attachAdmin("u"),
    attachAdmin("g", { eventName: "AttachGroupPolicy", requestParameters: { groupName: "g", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } }),
    attachAdmin("r", { eventName: "AttachRolePolicy", requestParameters: { roleName: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" } }),
  ],
  "s3.restore-public-access-block": [deletePublicAccessBlock("b1"), record({ eventName: "PutBucketPolicy", requestParameters: { bucketName: "b2", bucketPolicy: {} } })],
  "ec2.revoke-world-open-ingress": [
    authorizeIngress("sg-1", [["tcp", 22, 22, ["0.0.0.0/0"]]], { ruleIds: ["sgr-1"] }),
    authorizeIngress("sg-2", [["udp", 53, 53, ["::/0"]]]),
    authorizeIngress("unused", [["tcp", 3389, 3389, ["0.0.0.0/0"]]], {
      over: { requestParameters: { groupName: "web", ipPermissions: { items: [{ ipProtocol: "tcp", fromPort: 3389, toPort: 3389, ipRanges: { items: [{ cidrIp: "0.0.0.0/0" }] } }] } } },
    }),
    record({
      eventSource: "ec2.amazonaws.com", eventName: "ModifySecurityGroupRules",
      requestParameters: { ModifySecurityGroupRulesRequest: { GroupId: "sg-3", SecurityGroupRule: { SecurityGroupRuleId: "sgr-3", SecurityGroupRule: { IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" } } } },
    }),
  ],
};

describe("remediation IAM permissions", () => {
  const cloudTrail = mockClient(CloudTrailClient);
  const ec2 = mockClient(EC2Client);
  const iam = mockClient(IAMClient);
  const mocks = [cloudTrail, iam, ec2, mockClient(S3Client)] as unknown as {
    reset(): void;
    restore(): void;
    onAnyCommand(): { resolves(v: object): unknown };
    calls(): { args: unknown[] }[];
  }[];
  afterAll(() => {
    mocks.forEach((m) => m.restore());
  });

  it.each(Object.keys(SCENARIOS) as RemediationId[])("%s calls exactly the IAM actions REMEDIATION_PERMISSIONS grants it", async (id) => {
    // Prepare: every call succeeds, and the state asks for action (trail stopped, no block, rule still open).
    mocks.forEach((m) => {
      m.reset();
      m.onAnyCommand().resolves({});
    });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });
    const attached = { AttachedPolicies: [{ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }] };
    iam.on(ListAttachedUserPoliciesCommand).resolves(attached).on(ListAttachedGroupPoliciesCommand).resolves(attached).on(ListAttachedRolePoliciesCommand).resolves(attached);
    // Every rule the scenarios opened is still open.
    const rules: SecurityGroupRule[] = [
      { SecurityGroupRuleId: "sgr-1", GroupId: "sg-1", IsEgress: false, IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" },
      { SecurityGroupRuleId: "sgr-2", GroupId: "sg-2", IsEgress: false, IpProtocol: "udp", FromPort: 53, ToPort: 53, CidrIpv6: "::/0" },
      { SecurityGroupRuleId: "sgr-3", GroupId: "sg-3", IsEgress: false, IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: "0.0.0.0/0" },
      { SecurityGroupRuleId: "sgr-4", GroupId: "sg-4", IsEgress: false, IpProtocol: "tcp", FromPort: 3389, ToPort: 3389, CidrIpv4: "0.0.0.0/0" },
    ];
    ec2.on(DescribeSecurityGroupRulesCommand).callsFake((input: { SecurityGroupRuleIds?: string[]; Filters?: { Values?: string[] }[] }) => ({
      SecurityGroupRules: rules.filter((r) => input.SecurityGroupRuleIds?.includes(r.SecurityGroupRuleId!) ?? input.Filters?.[0]?.Values?.includes(r.GroupId!)),
    }));
    ec2.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: "sg-4", GroupName: "web" }] });
    ec2.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    const remediator = createRemediators(testClients())[id] as PlannedRemediator;
    const granted = allRemediationActions(REMEDIATION_PERMISSIONS[id]);

    // Act
    const planned: string[] = [];
    for (const rec of SCENARIOS[id]) {
      const f = findingFor(rec, id);
      const plan = remediator.plan(f);
      if ("calls" in plan) planned.push(...plan.calls.map((c) => c.action));
      expect(await remediator.apply(f, "apply")).toMatchObject({ status: "succeeded" });
    }
    const called = mocks.flatMap((m) => m.calls()).map((c) => {
      const name = (c.args[0] as object).constructor.name;
      const action = ACTION_OF_COMMAND[name];
      if (!action) throw new Error(`${name} has no IAM action in ACTION_OF_COMMAND: add it from the Service Authorization Reference`);
      return action;
    });

    // Assess: nothing outside the grant, and nothing granted that is never used.
    for (const a of [...called, ...planned]) expect(granted).toContain(a);
    expect([...new Set(called)].sort()).toEqual([...granted].sort());
  });
});
