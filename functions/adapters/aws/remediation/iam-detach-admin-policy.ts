import { DetachGroupPolicyCommand, DetachRolePolicyCommand, DetachUserPolicyCommand } from "@aws-sdk/client-iam";
import type { RemediationResult } from "../../../core/alert/alert";
import type { Finding } from "../../../core/rules/engine";
import { param } from "./record-fields";
import { PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

/** The AWS-managed AdministratorAccess policy, exactly (not e.g. AdministratorAccess-Amplify), in any partition. */
export const ADMINISTRATOR_ACCESS_ARN = /^arn:aws(-[a-z]+)*:iam::aws:policy\/AdministratorAccess$/;

const TARGETS = {
  AttachUserPolicy: { kind: "user", param: "userName", action: "iam:DetachUserPolicy", field: "UserName" },
  AttachGroupPolicy: { kind: "group", param: "groupName", action: "iam:DetachGroupPolicy", field: "GroupName" },
  AttachRolePolicy: { kind: "role", param: "roleName", action: "iam:DetachRolePolicy", field: "RoleName" },
} as const;

/**
 * Detaches AdministratorAccess from the user, group or role an Attach*Policy event attached it to,
 * with exactly the policy ARN of the event. Inline admin policies and policy versions are not undone
 * automatically (deleting someone's policy document loses it): those are skipped with the reason.
 * NoSuchEntity means the policy is already detached or the principal is gone: skipped, not failed.
 */
export class DetachAdminPolicyRemediator extends PlannedRemediator {
  readonly id = "iam.detach-admin-policy" as const;

  constructor(private readonly clients: Pick<RemediationClients, "iam">) {
    super();
  }

  plan(f: Finding): Plan {
    const r = f.record;
    const t = r.eventSource === "iam.amazonaws.com" ? TARGETS[r.eventName as keyof typeof TARGETS] : undefined;
    if (!t) return { skip: `only an attached AdministratorAccess policy is detached automatically; ${r.eventName} needs a person` };
    const policyArn = param(r, "policyArn");
    if (!policyArn || !ADMINISTRATOR_ACCESS_ARN.test(policyArn)) {
      return { skip: `the attached policy ${policyArn ?? "(none named)"} is not AdministratorAccess; only that policy is detached automatically` };
    }
    const name = param(r, t.param);
    if (!name) return { skip: `the ${r.eventName} event names no ${t.kind} (requestParameters.${t.param} is missing)` };
    return { target: `${t.kind} ${name}`, calls: [{ action: t.action, region: "global", input: { [t.field]: name, PolicyArn: policyArn } }] };
  }

  protected async execute(_f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const call = plan.calls[0]!;
    const iam = await this.clients.iam();
    const input = call.input as { UserName?: string; GroupName?: string; RoleName?: string; PolicyArn: string };
    try {
      if (call.action === "iam:DetachUserPolicy") await iam.send(new DetachUserPolicyCommand({ UserName: input.UserName!, PolicyArn: input.PolicyArn }));
      else if (call.action === "iam:DetachGroupPolicy") await iam.send(new DetachGroupPolicyCommand({ GroupName: input.GroupName!, PolicyArn: input.PolicyArn }));
      else await iam.send(new DetachRolePolicyCommand({ RoleName: input.RoleName!, PolicyArn: input.PolicyArn }));
    } catch (e) {
      return this.failure(e, call, { NoSuchEntity: `AdministratorAccess is no longer attached to ${plan.target} (or it no longer exists)`, NoSuchEntityException: `AdministratorAccess is no longer attached to ${plan.target} (or it no longer exists)` });
    }
    return this.result("apply", "succeeded", `detached ${input.PolicyArn} from ${plan.target}`);
  }
}
