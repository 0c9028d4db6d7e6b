import { DescribeSecurityGroupRulesCommand, RevokeSecurityGroupIngressCommand, type IpPermission } from "@aws-sdk/client-ec2";
import type { RemediationResult } from "../../../core/alert/alert";
import type { CloudTrailRecord } from "../../../core/record/schema";
import type { Finding } from "../../../core/rules/engine";
import { at, isTrue, items, num, param, pick } from "./record-fields";
import { PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

/** One world-open ingress permission of an event. */
interface WorldPermission {
  protocol: string;
  from?: number;
  to?: number;
  cidr: string;
  ruleId?: string;
  groupId?: string;
}

/** Any /0 range: every IPv4 or IPv6 address. */
export function isWorldCidr(v: unknown): v is string {
  return typeof v === "string" && /\/0$/.test(v.trim());
}

const ALL_PROTOCOLS = new Set(["-1", "all"]);

function perm(protocol: unknown, from: unknown, to: unknown, cidr: string, extra: Partial<WorldPermission> = {}): WorldPermission {
  const p = String(protocol ?? "-1").toLowerCase();
  return { protocol: ALL_PROTOCOLS.has(p) ? "-1" : p, from: num(from), to: num(to), cidr: cidr.trim(), ...extra };
}

/** World-open ranges of the request's `ipPermissions` (and of the old flat `cidrIp` form); other sources dropped. */
function requested(r: CloudTrailRecord): WorldPermission[] {
  const out: WorldPermission[] = [];
  for (const p of items(pick(r.requestParameters, "ipPermissions", "IpPermissions"))) {
    const proto = pick(p, "ipProtocol", "IpProtocol");
    const from = pick(p, "fromPort", "FromPort");
    const to = pick(p, "toPort", "ToPort");
    for (const range of items(pick(p, "ipRanges", "IpRanges"))) {
      const c = pick(range, "cidrIp", "CidrIp");
      if (isWorldCidr(c)) out.push(perm(proto, from, to, c));
    }
    for (const range of items(pick(p, "ipv6Ranges", "Ipv6Ranges"))) {
      const c = pick(range, "cidrIpv6", "CidrIpv6");
      if (isWorldCidr(c)) out.push(perm(proto, from, to, c));
    }
  }
  const flat = pick(r.requestParameters, "cidrIp", "CidrIp");
  if (isWorldCidr(flat)) out.push(perm(pick(r.requestParameters, "ipProtocol", "IpProtocol"), pick(r.requestParameters, "fromPort", "FromPort"), pick(r.requestParameters, "toPort", "ToPort"), flat));
  return out;
}

/** Ingress rules the response says were created and are world-open, with their rule ids. */
function created(r: CloudTrailRecord): WorldPermission[] {
  return items(at(r.responseElements, "securityGroupRuleSet")).flatMap((x) => {
    if (isTrue(at(x, "isEgress"))) return [];
    const c = [at(x, "cidrIpv4"), at(x, "cidrIpv6")].find(isWorldCidr);
    const id = at(x, "securityGroupRuleId");
    if (!c || typeof id !== "string") return [];
    const groupId = at(x, "groupId");
    return [perm(at(x, "ipProtocol"), at(x, "fromPort"), at(x, "toPort"), c, { ruleId: id, ...(typeof groupId === "string" ? { groupId } : {}) })];
  });
}

/**
 * Ports the rule's settings allow open to the world (the ec2 rule's `allowedPorts`, e.g. 80 and 443
 * for a public load balancer). A permission that opens only allowed ports is left in place: the
 * finding is about the others.
 */
function allowedPorts(f: Finding): number[] {
  const v = at(f.ctx.settings, "allowedPorts");
  return Array.isArray(v) ? v.filter((x): x is number => typeof x === "number") : [];
}

function onlyAllowed(p: WorldPermission, allowed: number[]): boolean {
  if (allowed.length === 0 || (p.protocol !== "tcp" && p.protocol !== "udp" && p.protocol !== "6" && p.protocol !== "17")) return false;
  if (p.from === undefined || p.to === undefined || p.from < 0 || p.to - p.from > 1024) return false;
  for (let port = p.from; port <= p.to; port++) if (!allowed.includes(port)) return false;
  return true;
}

function toIpPermissions(list: WorldPermission[]): IpPermission[] {
  const byShape = new Map<string, IpPermission>();
  for (const p of list) {
    const k = `${p.protocol}|${p.from ?? ""}|${p.to ?? ""}`;
    let ip = byShape.get(k);
    if (!ip) {
      ip = { IpProtocol: p.protocol, ...(p.protocol !== "-1" && p.from !== undefined ? { FromPort: p.from } : {}), ...(p.protocol !== "-1" && p.to !== undefined ? { ToPort: p.to } : {}) };
      byShape.set(k, ip);
    }
    if (p.cidr.includes(":")) (ip.Ipv6Ranges ??= []).push({ CidrIpv6: p.cidr });
    else (ip.IpRanges ??= []).push({ CidrIp: p.cidr });
  }
  return [...byShape.values()];
}

/** The rules a ModifySecurityGroupRules call set to a /0 source (ingress or egress: the event does not say). */
function modifiedToWorld(r: CloudTrailRecord): { groupId?: string; ruleIds: string[] } {
  const req = pick(r.requestParameters, "ModifySecurityGroupRulesRequest", "modifySecurityGroupRulesRequest") ?? r.requestParameters;
  const raw = pick(req, "SecurityGroupRule", "SecurityGroupRules", "securityGroupRules");
  const list = Array.isArray(raw) ? raw : items(raw).length ? items(raw) : raw ? [raw] : [];
  const ruleIds = list.flatMap((x) => {
    const rule = pick(x, "SecurityGroupRule", "securityGroupRule") ?? x;
    const id = pick(x, "SecurityGroupRuleId", "securityGroupRuleId");
    return typeof id === "string" && [pick(rule, "CidrIpv4", "cidrIpv4"), pick(rule, "CidrIpv6", "cidrIpv6")].some(isWorldCidr) ? [id] : [];
  });
  const groupId = pick(req, "GroupId", "groupId");
  return { ...(typeof groupId === "string" ? { groupId } : {}), ruleIds };
}

const GONE_TEXT = "the world-open ingress is no longer there";
const GONE = {
  "InvalidPermission.NotFound": GONE_TEXT,
  "InvalidSecurityGroupRuleId.NotFound": GONE_TEXT,
  "InvalidGroup.NotFound": "the security group no longer exists",
};

/**
 * Revokes exactly the world-open (/0) ingress an AuthorizeSecurityGroupIngress event added: by the
 * security group rule ids of its response when CloudTrail logged them, else by the event's
 * ipPermissions reduced to their /0 ranges (other sources of the same call stay). Ports the rule
 * allows open (its `allowedPorts` setting) stay open. For ModifySecurityGroupRules, whose event does
 * not say whether a rule is ingress, apply mode looks the rules up (DescribeSecurityGroupRules) and
 * revokes those that are ingress and still world-open.
 */
export class RevokeWorldOpenIngressRemediator extends PlannedRemediator {
  readonly id = "ec2.revoke-world-open-ingress" as const;

  constructor(private readonly clients: Pick<RemediationClients, "ec2">) {
    super();
  }

  plan(f: Finding): Plan {
    const r = f.record;
    const region = r.awsRegion;
    if (r.eventSource !== "ec2.amazonaws.com") return { skip: `${r.eventName} is not an EC2 security group change` };
    if (!region) return { skip: "the event has no region" };
    if (r.eventName === "ModifySecurityGroupRules") {
      const { groupId, ruleIds } = modifiedToWorld(r);
      if (!groupId || ruleIds.length === 0) return { skip: "the ModifySecurityGroupRules event names no rule set to a /0 source" };
      return {
        target: `security group ${groupId}`,
        calls: [
          { action: "ec2:DescribeSecurityGroupRules", region, input: { SecurityGroupRuleIds: ruleIds } },
          { action: "ec2:RevokeSecurityGroupIngress", region, input: { GroupId: groupId, SecurityGroupRuleIds: ruleIds } },
        ],
      };
    }
    if (r.eventName !== "AuthorizeSecurityGroupIngress") return { skip: `only AuthorizeSecurityGroupIngress and ModifySecurityGroupRules are undone; this is ${r.eventName}` };
    const allowed = allowedPorts(f);
    const groupId = param(r, "groupId");
    const byId = created(r).filter((p) => !onlyAllowed(p, allowed));
    if (byId.length > 0) {
      const gid = groupId ?? byId[0]!.groupId;
      if (gid) {
        return { target: `security group ${gid}`, calls: [{ action: "ec2:RevokeSecurityGroupIngress", region, input: { GroupId: gid, SecurityGroupRuleIds: byId.map((p) => p.ruleId!) } }] };
      }
    }
    const perms = requested(r).filter((p) => !onlyAllowed(p, allowed));
    if (perms.length === 0) return { skip: "the event opened no ingress to a /0 range beyond the allowed ports; nothing to revoke" };
    const groupName = param(r, "groupName");
    if (!groupId && !groupName) return { skip: "the event names no security group (groupId/groupName missing)" };
    return {
      target: `security group ${groupId ?? groupName}`,
      calls: [{ action: "ec2:RevokeSecurityGroupIngress", region, input: { ...(groupId ? { GroupId: groupId } : { GroupName: groupName }), IpPermissions: toIpPermissions(perms) } }],
    };
  }

  protected async execute(_f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const ec2 = await this.clients.ec2(plan.calls[0]!.region);
    let revoke = plan.calls[plan.calls.length - 1]!;
    if (plan.calls.length === 2) {
      const describe = plan.calls[0]!;
      let ids: string[];
      try {
        const res = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: describe.input.SecurityGroupRuleIds as string[] }));
        ids = (res.SecurityGroupRules ?? [])
          .filter((x) => !x.IsEgress && (isWorldCidr(x.CidrIpv4) || isWorldCidr(x.CidrIpv6)))
          .map((x) => x.SecurityGroupRuleId!)
          .filter(Boolean);
      } catch (e) {
        return this.failure(e, describe, GONE);
      }
      if (ids.length === 0) return this.result("apply", "skipped", `the modified rules of ${plan.target} are egress or no longer open to a /0 range; nothing to revoke`);
      revoke = { ...revoke, input: { ...revoke.input, SecurityGroupRuleIds: ids } };
    }
    const input = revoke.input as { GroupId?: string; GroupName?: string; IpPermissions?: IpPermission[]; SecurityGroupRuleIds?: string[] };
    try {
      const res = await ec2.send(new RevokeSecurityGroupIngressCommand(input));
      if (res.Return === false) return this.result("apply", "failed", `${revoke.action} on ${plan.target} returned false`);
      const unknown = res.UnknownIpPermissions?.length ?? 0;
      const what = input.SecurityGroupRuleIds ? `rule(s) ${input.SecurityGroupRuleIds.join(", ")}` : describePermissions(input.IpPermissions ?? []);
      return this.result("apply", "succeeded", `revoked world-open ingress ${what} of ${plan.target}${unknown ? ` (${unknown} permission(s) were already gone)` : ""}`);
    } catch (e) {
      return this.failure(e, revoke, GONE);
    }
  }
}

function describePermissions(list: IpPermission[]): string {
  return list
    .map((p) => {
      const ports = p.IpProtocol === "-1" ? "all traffic" : p.FromPort === p.ToPort ? `${p.IpProtocol} ${p.FromPort}` : `${p.IpProtocol} ${p.FromPort}-${p.ToPort}`;
      const cidrs = [...(p.IpRanges ?? []).map((x) => x.CidrIp), ...(p.Ipv6Ranges ?? []).map((x) => x.CidrIpv6)].join(", ");
      return `${ports} from ${cidrs}`;
    })
    .join("; ");
}
