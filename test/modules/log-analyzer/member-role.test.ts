import { REMEDIATION_PERMISSIONS } from "../../../functions/core/remediation/permissions";
import { cfnResource, LogAnalyzer, logAnalyzerSettingsSchema, type LogAnalyzerSettingsInput } from "../../../modules/log-analyzer";
import { ACCOUNT, ALERT_TOPIC, HOME, findResource, functionStatements, refTo, resourcesOf, synth, platformStack, type Tf } from "../trail-guard/synth-support";

// Bundling is NodeFunction's concern (and the whole-stack test's); here it is a stub.
jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("../trail-guard/synth-support").fakeBundler());

const ORG = "o-a1b2c3d4e5";
const MANAGEMENT = "999988887777";
const REMEDIATOR = "tw-remediator";
const REMEDIATOR_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/${REMEDIATOR}`;
const MEMBER_ROLE = { name: "trailwatch-remediation", externalId: "acme-trailwatch", organizationalUnitIds: ["ou-ab12-11111111", "ou-ab12-22222222"] };
const BASE: LogAnalyzerSettingsInput = {
  enabled: true,
  bucketName: "org-cloudtrail-logs",
  notification: { source: "eventbridge" },
  layout: { type: "organization", organizationId: ORG },
  managementAccountId: MANAGEMENT,
  // Two remediations applied, one only planned: the member role gets the actions of the applied two.
  remediation: { "cloudtrail.logging-stopped": "apply", "ec2.security-group-open-to-world": "apply", "iam.admin-policy-attached": "dry-run" },
  remediationMemberRole: MEMBER_ROLE,
};

function synthAnalyzer(overrides: Partial<LogAnalyzerSettingsInput> = {}): Tf {
  const stack = platformStack();
  new LogAnalyzer(stack, "log-analyzer", { ...logAnalyzerSettingsSchema.parse({ ...BASE, ...overrides }), alertTopicArn: ALERT_TOPIC });
  return synth(stack);
}

const remediatorEnv = (tf: Tf) => findResource(tf, "aws_lambda_function", (f) => f.function_name === REMEDIATOR).environment.variables;
const stackSet = (tf: Tf) => findResource(tf, "aws_cloudformation_stack_set", () => true);
const templateOf = (tf: Tf) => JSON.parse(stackSet(tf).template_body);
const memberRoleOf = (tf: Tf) => templateOf(tf).Resources.RemediationRole.Properties;

describe("LogAnalyzer with a member-account role", () => {
  const tf = synthAnalyzer();

  it("deploys the member role to the configured OUs with a service-managed, auto-deploying stack set, as the delegated administrator", () => {
    // Act
    const set = stackSet(tf);
    const [[, instance]] = resourcesOf(tf, "aws_cloudformation_stack_set_instance") as [[string, any]];
    // Assess
    expect(set).toMatchObject({
      name: "tw-remediation-member-role",
      permission_model: "SERVICE_MANAGED",
      auto_deployment: { enabled: true, retain_stacks_on_account_removal: false },
      call_as: "DELEGATED_ADMIN",
      capabilities: ["CAPABILITY_NAMED_IAM"],
    });
    // IAM refuses a trust policy naming a role that does not exist yet.
    const [remediatorRole] = resourcesOf(tf, "aws_iam_role").find(([, r]) => r.name === REMEDIATOR)!;
    expect(set.depends_on).toEqual([`aws_iam_role.${remediatorRole}`]);
    expect(instance).toMatchObject({
      stack_set_name: refTo(tf, "aws_cloudformation_stack_set", () => true, "name"),
      call_as: "DELEGATED_ADMIN",
      region: HOME,
      deployment_targets: { organizational_unit_ids: MEMBER_ROLE.organizationalUnitIds },
    });
  });

  it("creates the role by its name, trusted only by the remediator's role with the external id", () => {
    // Act
    const role = memberRoleOf(tf);
    // Assess
    expect(templateOf(tf).Resources).toEqual({ RemediationRole: expect.objectContaining({ Type: "AWS::IAM::Role" }) });
    expect(role.RoleName).toBe(MEMBER_ROLE.name);
    expect(findResource(tf, "aws_iam_role", (r) => r.name === REMEDIATOR)).toBeDefined();
    expect(role.AssumeRolePolicyDocument).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "TrailwatchRemediatorOnly", Effect: "Allow", Principal: { AWS: REMEDIATOR_ROLE_ARN }, Action: "sts:AssumeRole", Condition: { StringEquals: { "sts:ExternalId": "acme-trailwatch" } } },
      ],
    });
  });

  it("grants the member role LookupEvents (to verify events there) and exactly the actions of the remediations configured apply, scoped to the member account", () => {
    // Act
    const [policy, ...others] = memberRoleOf(tf).Policies;
    const statements = policy.PolicyDocument.Statement as { Action: string[]; Resource: unknown[] }[];
    const applied = ["cloudtrail.start-logging", "ec2.revoke-world-open-ingress"] as const;
    // Assess
    expect(others).toEqual([]);
    expect(statements.flatMap((s) => s.Action).sort()).toEqual(
      ["cloudtrail:LookupEvents", ...applied.flatMap((id) => [...REMEDIATION_PERMISSIONS[id].actions, ...(REMEDIATION_PERMISSIONS[id].unscoped?.actions ?? [])])].sort(),
    );
    expect(statements.flatMap((s) => s.Action)).not.toContain("iam:DetachUserPolicy");
    expect(statements[0]).toEqual({ Sid: "VerifyEventsInEventHistory", Effect: "Allow", Action: ["cloudtrail:LookupEvents"], Resource: ["*"] });
    expect(statements[1]).toEqual({
      Sid: "RemediateCloudtrailStartLogging",
      Effect: "Allow",
      Action: ["cloudtrail:StartLogging", "cloudtrail:GetTrailStatus"],
      Resource: [{ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":cloudtrail:*:", { Ref: "AWS::AccountId" }, ":trail/*"]] }],
    });
    // Terraform would read a `${` in the template body as an interpolation.
    expect(stackSet(tf).template_body).not.toContain("${");
  });

  it("lets the remediator assume the role only within the Organization, and tells it the role's name and external id", () => {
    // Act
    const assume = functionStatements(tf, REMEDIATOR).filter((s) => (s.actions as string[]).includes("sts:AssumeRole"));
    // Assess
    expect(assume).toEqual([
      expect.objectContaining({
        sid: "AssumeMemberRemediationRole",
        actions: ["sts:AssumeRole"],
        resources: [`arn:aws:iam::*:role/${MEMBER_ROLE.name}`],
        condition: [{ test: "StringEquals", variable: "aws:ResourceOrgID", values: [ORG] }],
      }),
    ]);
    expect(remediatorEnv(tf)).toMatchObject({ MEMBER_ROLE_NAME: MEMBER_ROLE.name, MEMBER_ROLE_EXTERNAL_ID: "acme-trailwatch" });
  });

  it("creates the stack set as itself from the management account, and trusts without a condition when there is no external id", () => {
    // Act
    const fromManagement = synthAnalyzer({ managementAccountId: ACCOUNT, remediationMemberRole: { name: "tw-member", organizationalUnitIds: ["r-ab12"] } });
    // Assess
    expect(stackSet(fromManagement).call_as).toBe("SELF");
    expect(findResource(fromManagement, "aws_cloudformation_stack_set_instance", () => true).deployment_targets.organizational_unit_ids).toEqual(["r-ab12"]);
    expect(memberRoleOf(fromManagement).AssumeRolePolicyDocument.Statement[0]).not.toHaveProperty("Condition");
    expect(remediatorEnv(fromManagement).MEMBER_ROLE_NAME).toBe("tw-member");
    expect(remediatorEnv(fromManagement)).not.toHaveProperty("MEMBER_ROLE_EXTERNAL_ID");
  });

  it("deploys the member role with LookupEvents only while remediation only plans: dry-run verifies member accounts' events too, and changes nothing", () => {
    // Act
    const dryRun = synthAnalyzer({ remediation: { "cloudtrail.logging-stopped": "dry-run" } });
    // Assess
    expect(memberRoleOf(dryRun).Policies[0].PolicyDocument.Statement).toEqual([{ Sid: "VerifyEventsInEventHistory", Effect: "Allow", Action: ["cloudtrail:LookupEvents"], Resource: ["*"] }]);
    expect(resourcesOf(dryRun, "aws_cloudformation_stack_set_instance")).toHaveLength(1);
    expect(functionStatements(dryRun, REMEDIATOR).filter((s) => s.sid !== "WriteOwnLogGroup").map((s) => s.actions)).toEqual([["cloudtrail:LookupEvents"], ["sts:AssumeRole"]]);
    expect(remediatorEnv(dryRun).MEMBER_ROLE_NAME).toBe(MEMBER_ROLE.name);
  });

  it("without the setting deploys nothing of it: no stack set, no AssumeRole, no member role variables", () => {
    // Act
    const own = synthAnalyzer({ remediationMemberRole: undefined });
    // Assess
    expect(resourcesOf(own, "aws_cloudformation_stack_set")).toEqual([]);
    expect(JSON.stringify(functionStatements(own, REMEDIATOR))).not.toContain("sts:AssumeRole");
    expect(Object.keys(remediatorEnv(own)).filter((k) => k.startsWith("MEMBER_ROLE"))).toEqual([]);
  });
});

describe("cfnResource", () => {
  it("turns the remediation resource patterns into CloudFormation values of the member account", () => {
    expect(cfnResource("*")).toBe("*");
    expect(cfnResource("arn:${partition}:s3:::*")).toEqual({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":s3:::*"]] });
    expect(cfnResource("arn:${partition}:iam::${account}:user/*")).toEqual({ "Fn::Join": ["", ["arn:", { Ref: "AWS::Partition" }, ":iam::", { Ref: "AWS::AccountId" }, ":user/*"]] });
    expect(() => cfnResource("arn:${partition}:iam::${region}:user/*")).toThrow(/placeholder other than/);
  });
});
