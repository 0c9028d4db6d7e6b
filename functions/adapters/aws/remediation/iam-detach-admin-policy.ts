import {
  DetachGroupPolicyCommand,
  DetachRolePolicyCommand,
  DetachUserPolicyCommand,
  ListAttachedGroupPoliciesCommand,
  ListAttachedRolePoliciesCommand,
  ListAttachedUserPoliciesCommand,
} from "@aws-sdk/client-iam";
import type { RemediationResult } from "../../../core/alert/alert";
import { accountOfRecord } from "../../../core/record/schema";
import type { Finding } from "../../../core/rules/engine";
import { param } from "./record-fields";
import { partitionOfRecord, PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

/** The AWS-managed AdministratorAccess policy, exactly (not e.g. AdministratorAccess-Amplify), in any partition. */
export const ADMINISTRATOR_ACCESS_ARN = /^arn:aws(-[a-z]+)*:iam::aws:policy\/AdministratorAccess$/;

const TARGETS = {
  AttachUserPolicy: { kind: "user", param: "userName", action: "iam:DetachUserPolicy", list: "iam:ListAttachedUserPolicies", field: "UserName" },
  AttachGroupPolicy: { kind: "group", param: "groupName", action: "iam:DetachGroupPolicy", list: "iam:ListAttachedGroupPolicies", field: "GroupName" },
  AttachRolePolicy: { kind: "role", param: "roleName", action: "iam:DetachRolePolicy", list: "iam:ListAttachedRolePolicies", field: "RoleName" },
} as const;

/** Pages of attached policies read at most (IAM allows 20 managed policies per principal by default; 100 per page). */
const MAX_LIST_PAGES = 5;

type Entity = { UserName?: string; GroupName?: string; RoleName?: string };

/**
 * Detaches AdministratorAccess from the user, group or role an Attach*Policy event attached it to,
 * with exactly the policy ARN of the event. Apply mode first lists the principal's attached
 * policies (the re-check) and detaches only when the policy is still attached. Inline admin
 * policies and policy versions are not undone automatically (deleting someone's policy document
 * loses it): those are skipped with the reason. NoSuchEntity means the principal is gone: skipped.
 */
export class DetachAdminPolicyRemediator extends PlannedRemediator<Pick<RemediationClients, "iam">> {
  readonly id = "iam.detach-admin-policy" as const;

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
    return {
      target: `${t.kind} ${name}`,
      targetArns: [`arn:${partitionOfRecord(r)}:iam::${accountOfRecord(r)}:${t.kind}/${name}`],
      calls: [
        { action: t.list, region: "global", input: { [t.field]: name } },
        { action: t.action, region: "global", input: { [t.field]: name, PolicyArn: policyArn } },
      ],
    };
  }

  protected async execute(_f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const [list, call] = plan.calls as [PlannedCall, PlannedCall];
    const iam = await this.clients.iam();
    const input = call.input as Entity & { PolicyArn: string };
    const gone = { NoSuchEntity: `${plan.target} no longer exists`, NoSuchEntityException: `${plan.target} no longer exists` };
    let attached: boolean;
    try {
      attached = await this.isAttached(iam, list.input, input.PolicyArn);
    } catch (e) {
      return this.failure(e, list, gone);
    }
    if (!attached) {
      const found = `${input.PolicyArn} is not attached to ${plan.target}`;
      return this.result("apply", "skipped", `AdministratorAccess is no longer attached to ${plan.target}; nothing to do`, { found });
    }
    const found = `${input.PolicyArn} is attached to ${plan.target}`;
    try {
      if (call.action === "iam:DetachUserPolicy") await iam.send(new DetachUserPolicyCommand({ UserName: input.UserName!, PolicyArn: input.PolicyArn }));
      else if (call.action === "iam:DetachGroupPolicy") await iam.send(new DetachGroupPolicyCommand({ GroupName: input.GroupName!, PolicyArn: input.PolicyArn }));
      else await iam.send(new DetachRolePolicyCommand({ RoleName: input.RoleName!, PolicyArn: input.PolicyArn }));
    } catch (e) {
      return this.failure(e, call, { NoSuchEntity: `AdministratorAccess is no longer attached to ${plan.target} (or it no longer exists)`, NoSuchEntityException: `AdministratorAccess is no longer attached to ${plan.target} (or it no longer exists)` }, { found });
    }
    const done = `detached ${input.PolicyArn} from ${plan.target}`;
    return this.result("apply", "succeeded", done, { found, done });
  }

  /** Whether `policyArn` is among the managed policies attached to the user, group or role (paged, bounded). */
  private async isAttached(iam: Awaited<ReturnType<RemediationClients["iam"]>>, who: Entity, policyArn: string): Promise<boolean> {
    let marker: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const paging = { MaxItems: 100, ...(marker ? { Marker: marker } : {}) };
      const res = who.UserName
        ? await iam.send(new ListAttachedUserPoliciesCommand({ UserName: who.UserName, ...paging }))
        : who.GroupName
          ? await iam.send(new ListAttachedGroupPoliciesCommand({ GroupName: who.GroupName, ...paging }))
          : await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: who.RoleName!, ...paging }));
      if (res?.AttachedPolicies?.some((p) => p.PolicyArn === policyArn)) return true;
      if (!res?.IsTruncated || !res.Marker) return false;
      marker = res.Marker;
    }
    // More pages than IAM allows policies: say attached, and let DetachXPolicy tell (NoSuchEntity = not attached).
    return true;
  }
}
