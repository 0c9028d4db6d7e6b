/**
 * Reading a `terraform show -json` plan for policy assertions: resources with their planned values
 * (known or "known after apply"), their configuration expressions (with references), and the
 * statements of every aws_iam_policy_document, whether Terraform could read it at plan time or not.
 */
import type { ConfigResource, PlanJson, ResourceChange } from "../support/terraform";

export interface Expr {
  constant_value?: unknown;
  references?: string[];
}
export interface PolicyStatement {
  doc: string;
  sid?: string;
  effect: string;
  actions: string[];
  notActions: string[];
  /** Literal ARNs, or `${type.name.attr}` references to resources of this configuration. */
  resources: string[];
  principals: { type: string; identifiers: string[] }[];
  conditions: { test: string; variable: string; values: string[] }[];
}

export class PlanModel {
  private readonly config = new Map<string, ConfigResource>();
  constructor(readonly plan: PlanJson) {
    for (const r of plan.configuration.root_module.resources) this.config.set(r.address, r);
  }

  /** Managed resources of a type that the plan creates. */
  managed(type: string): ResourceChange[] {
    return this.plan.resource_changes.filter((r) => r.mode === "managed" && r.type === type);
  }

  /** Every managed resource address the plan creates. */
  get addresses(): Set<string> {
    return new Set(this.plan.resource_changes.filter((r) => r.mode === "managed").map((r) => r.address));
  }

  /** The value planned for `attr`, or "(known after apply)" when Terraform computes it from another resource. */
  value(r: ResourceChange, attr: string): unknown {
    const v = r.change.after?.[attr];
    if (v !== null && v !== undefined) return v;
    return r.change.after_unknown?.[attr] === true ? UNKNOWN : v;
  }

  /** The expression of an argument in the configuration (`a.b.0.c` walks into blocks). */
  expr(address: string, path: string): Expr | undefined {
    let cur: unknown = this.config.get(address)?.expressions;
    for (const p of path.split(".")) {
      if (cur === undefined || cur === null) return undefined;
      cur = Array.isArray(cur) ? cur[Number(p)] : (cur as Record<string, unknown>)[p];
    }
    return cur as Expr | undefined;
  }

  /** The resource addresses an argument refers to (`aws_sqs_queue.x`, `data.aws_iam_policy_document.y`). */
  refs(address: string, path: string): string[] {
    const e = this.expr(address, path);
    return [...new Set((e?.references ?? []).map(resourceOf))];
  }

  /** The statements of a policy document (from the configuration, so unknown ARNs stay visible as references). */
  statements(doc: string): PolicyStatement[] {
    const blocks = (this.config.get(doc)?.expressions?.statement ?? []) as Record<string, any>[];
    const cv = <T>(e: Expr | undefined, d: T): T => (e?.constant_value as T) ?? d;
    return blocks.map((b) => ({
      doc,
      sid: cv(b.sid, undefined),
      effect: cv(b.effect, "Allow"),
      actions: cv(b.actions, []),
      notActions: cv(b.not_actions, []),
      resources: cv(b.resources, []),
      principals: ((b.principals ?? []) as Record<string, Expr>[]).map((p) => ({ type: cv(p.type, ""), identifiers: cv(p.identifiers, []) })),
      conditions: ((b.condition ?? []) as Record<string, Expr>[]).map((c) => ({ test: cv(c.test, ""), variable: cv(c.variable, ""), values: cv(c.values, []) })),
    }));
  }

  /** The policy documents attached through `attr` of resources of `type` (e.g. role policies). */
  docsOf(type: string, attr: string): { owner: string; doc: string }[] {
    return this.managed(type).flatMap((r) => this.refs(r.address, attr).filter((a) => a.startsWith("data.aws_iam_policy_document.")).map((doc) => ({ owner: r.address, doc })));
  }
}

/** Marker for a value Terraform knows only after apply (it refers to another resource). */
export const UNKNOWN = Symbol("known after apply");

/** `aws_sqs_queue.q.arn` -> `aws_sqs_queue.q`; `data.x.y.json` -> `data.x.y`. */
export function resourceOf(ref: string): string {
  const parts = ref.split(".");
  return parts[0] === "data" ? parts.slice(0, 3).join(".") : parts.slice(0, 2).join(".");
}
