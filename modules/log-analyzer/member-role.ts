import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { CloudformationStackSet } from "@cdktf/provider-aws/lib/cloudformation-stack-set";
import { CloudformationStackSetInstance } from "@cdktf/provider-aws/lib/cloudformation-stack-set-instance";
import { Platform } from "../platform";
import type { LogAnalyzerSettings, RemediationMemberRole } from "./config";
import { remediationEnabled, remediationGrants, verificationGrant } from "./policies";

/** A CloudFormation value: a string, or an intrinsic function such as `{ "Fn::Join": [...] }`. */
type CfnValue = string | Record<string, unknown>;

const PLACEHOLDERS: Record<string, CfnValue> = {
  "${partition}": { Ref: "AWS::Partition" },
  "${account}": { Ref: "AWS::AccountId" },
};

/**
 * A remediation resource pattern as a CloudFormation value in the member account: `${partition}`
 * and `${account}` become `Ref`s of `AWS::Partition` / `AWS::AccountId` (joined with `Fn::Join`,
 * not `Fn::Sub`: a `${` in the template body would be read by Terraform as an interpolation).
 */
export function cfnResource(pattern: string): CfnValue {
  const parts = pattern.split(/(\$\{[a-z]+\})/).filter((p) => p !== "");
  for (const p of parts) {
    if (p.includes("${") && !(p in PLACEHOLDERS)) throw new Error(`remediation resource "${pattern}" has a placeholder other than \${partition}/\${account}`);
  }
  if (parts.length === 1 && !(parts[0]! in PLACEHOLDERS)) return parts[0]!;
  return { "Fn::Join": ["", parts.map((p) => PLACEHOLDERS[p] ?? p)] };
}

/**
 * The CloudFormation template of the member role: an IAM role named `role.name`, assumable only by
 * `remediatorRoleArn` (with `sts:ExternalId` = `role.externalId` when set), whose one inline policy
 * grants `cloudtrail:LookupEvents` (to verify an event in the member account's event history, dry-run
 * too) and exactly the actions of the remediations configured `apply`, scoped to the member account
 * (the statements `remediatorStatements` grants the remediator in its own account).
 */
export function memberRoleTemplate(settings: Pick<LogAnalyzerSettings, "remediation">, role: RemediationMemberRole, remediatorRoleArn: string): Record<string, unknown> {
  if (!remediationEnabled(settings)) throw new Error("memberRoleTemplate: every remediation is off; the member role would have nothing to do");
  const statements = [verificationGrant(), ...remediationGrants(settings, cfnResource)].map((g) => ({ Sid: g.sid, Effect: "Allow", Action: g.actions, Resource: g.resources }));
  const trust: Record<string, unknown> = {
    Sid: "TrailwatchRemediatorOnly",
    Effect: "Allow",
    Principal: { AWS: remediatorRoleArn },
    Action: "sts:AssumeRole",
    ...(role.externalId ? { Condition: { StringEquals: { "sts:ExternalId": role.externalId } } } : {}),
  };
  return {
    AWSTemplateFormatVersion: "2010-09-09",
    Description: `trailwatch: the role ${remediatorRoleArn} assumes to undo dangerous changes in this account (opt-in remediation)`,
    Resources: {
      RemediationRole: {
        Type: "AWS::IAM::Role",
        Properties: {
          RoleName: role.name,
          Description: `trailwatch remediation in this account; assumed only by ${remediatorRoleArn}`.slice(0, 1000),
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [trust] },
          Policies: [{ PolicyName: "trailwatch-remediation", PolicyDocument: { Version: "2012-10-17", Statement: statements } }],
        },
      },
    },
    Outputs: { RoleArn: { Value: { "Fn::GetAtt": ["RemediationRole", "Arn"] } } },
  };
}

export interface MemberRoleStackSetProps {
  settings: Pick<LogAnalyzerSettings, "remediation">;
  role: RemediationMemberRole;
  /** The role the remediator function runs as: the only principal the member role trusts. */
  remediatorRoleArn: string;
  /** The Organization's management account: the stack set is created as it (SELF) or as a delegated administrator. */
  managementAccountId: string;
  /** Created first (IAM refuses a trust policy naming a role that does not exist yet). */
  dependsOn?: ITerraformDependable[];
}

/**
 * The member role in every account of the configured OUs (or the whole organization from its root):
 * a service-managed CloudFormation stack set (Organizations trusted access; auto deployment adds the
 * role to accounts that join later and removes it from accounts that leave), one stack instance per
 * account in the home region (IAM is global). Service-managed stack sets never deploy to the
 * management account.
 */
export class MemberRoleStackSet extends Construct {
  readonly stackSet: CloudformationStackSet;
  readonly instances: CloudformationStackSetInstance;
  /** The template the stack set deploys (also in `stackSet.templateBody`). */
  readonly template: Record<string, unknown>;

  constructor(scope: Construct, id: string, props: MemberRoleStackSetProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const callAs = props.managementAccountId === platform.account ? "SELF" : "DELEGATED_ADMIN";
    this.template = memberRoleTemplate(props.settings, props.role, props.remediatorRoleArn);

    this.stackSet = new CloudformationStackSet(this, "stack-set", {
      name: platform.name("remediation-member-role"),
      description: `trailwatch ${platform.namePrefix}: role ${props.role.name} in member accounts, assumed by the remediator to remediate their events`,
      permissionModel: "SERVICE_MANAGED",
      autoDeployment: { enabled: true, retainStacksOnAccountRemoval: false },
      callAs,
      capabilities: ["CAPABILITY_NAMED_IAM"],
      managedExecution: { active: true },
      templateBody: JSON.stringify(this.template, null, 2),
      dependsOn: props.dependsOn,
      // With auto deployment AWS fills in the service-linked administration role; older providers
      // then show a change on every plan (hashicorp/terraform-provider-aws#23464).
      lifecycle: { ignoreChanges: ["administration_role_arn"] },
    });

    this.instances = new CloudformationStackSetInstance(this, "accounts", {
      stackSetName: this.stackSet.name,
      callAs,
      region: platform.region,
      deploymentTargets: { organizationalUnitIds: [...props.role.organizationalUnitIds] },
      retainStack: false,
      // A quarter of the accounts at a time (one at a time would take hours in a large organization);
      // no failure tolerated, so an account that cannot get the role fails the apply, visibly.
      operationPreferences: { concurrencyMode: "SOFT_FAILURE_TOLERANCE", maxConcurrentPercentage: 25, failureTolerancePercentage: 0 },
    });
  }
}
