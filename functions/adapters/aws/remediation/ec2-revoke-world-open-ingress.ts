import {
  DescribeSecurityGroupRulesCommand,
  DescribeSecurityGroupsCommand,
  RevokeSecurityGroupIngressCommand,
  type IpPermission,
  type SecurityGroupRule,
} from "@aws-sdk/client-ec2";
import type { RemediationResult } from "../../../core/alert/alert";
import { accountOfRecord, type CloudTrailRecord } from "../../../core/record/schema";
import type { Finding } from "../../../core/rules/engine";
import { at, isTrue, items, num, param, pick } from "./record-fields";
import { partitionOfRecord, PlannedRemediator, type Plan, type PlannedCall, type RemediationClients } from "./types";

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
    const rule: unknown = pick(x, "SecurityGroupRule", "securityGroupRule") ?? x;
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
  "InvalidGroupId.NotFound": "the security group no longer exists",
};

/** Pages of a group's rules read at most (1,000 rules a page; a group holds at most a few hundred). */
const MAX_RULE_PAGES = 5;

/** IANA protocol numbers EC2 also accepts, as the names it reports rules with. */
const PROTOCOL_NAMES: Record<string, string> = { "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", all: "-1" };
const protocolKey = (p: string | undefined) => {
  const v = String(p ?? "-1").toLowerCase();
  return PROTOCOL_NAMES[v] ?? v;
};

/** Whether a rule EC2 reports is the world-open ingress `p` asked for. */
function sameOpening(rule: SecurityGroupRule, p: WorldPermission): boolean {
  const cidr = rule.CidrIpv4 ?? rule.CidrIpv6;
  if (rule.IsEgress || !isWorldCidr(cidr) || cidr.trim() !== p.cidr) return false;
  if (protocolKey(rule.IpProtocol) !== protocolKey(p.protocol)) return false;
  if (protocolKey(p.protocol) === "-1") return true;
  return (p.from === undefined || rule.FromPort === p.from) && (p.to === undefined || rule.ToPort === p.to);
}

const isOpenIngress = (x: SecurityGroupRule) => !x.IsEgress && (isWorldCidr(x.CidrIpv4) || isWorldCidr(x.CidrIpv6));

function describeRule(x: SecurityGroupRule): string {
  const proto = protocolKey(x.IpProtocol);
  const ports = proto === "-1" ? "all traffic" : x.FromPort === x.ToPort ? `${proto} ${x.FromPort}` : `${proto} ${x.FromPort}-${x.ToPort}`;
  return `${x.SecurityGroupRuleId} (${ports} from ${x.CidrIpv4 ?? x.CidrIpv6})`;
}

/**
 * Revokes exactly the world-open (/0) ingress an AuthorizeSecurityGroupIngress event added: the
 * rules of its response's security group rule ids when CloudTrail logged them, else the group's
 * rules that match the event's ipPermissions reduced to their /0 ranges (other sources of the same
 * call stay). Ports the rule allows open (its `allowedPorts` setting) stay open. For
 * ModifySecurityGroupRules, whose event does not say whether a rule is ingress, the rules it set to
 * a /0 source. Apply mode always reads the group's rules first (DescribeSecurityGroupRules: the
 * re-check) and revokes, by rule id, only those that are still ingress and still open to /0.
 */
export class RevokeWorldOpenIngressRemediator extends PlannedRemediator<Pick<RemediationClients, "ec2">> {
  readonly id = "ec2.revoke-world-open-ingress" as const;

  plan(f: Finding): Plan {
    const r = f.record;
    const region = r.awsRegion;
    if (r.eventSource !== "ec2.amazonaws.com") return { skip: `${r.eventName} is not an EC2 security group change` };
    if (!region) return { skip: "the event has no region" };
    const arnOf = (group: string) => `arn:${partitionOfRecord(r)}:ec2:${region}:${accountOfRecord(r)}:security-group/${group}`;
    // Revoking by rule id, after reading those rules again (the re-check in `execute`).
    const revokeRules = (group: string, ids: string[]): Plan => ({
      target: `security group ${group}`,
      targetArns: [arnOf(group)],
      calls: [
        { action: "ec2:DescribeSecurityGroupRules", region, input: { SecurityGroupRuleIds: ids } },
        { action: "ec2:RevokeSecurityGroupIngress", region, input: { GroupId: group, SecurityGroupRuleIds: ids } },
      ],
    });
    if (r.eventName === "ModifySecurityGroupRules") {
      const { groupId, ruleIds } = modifiedToWorld(r);
      if (!groupId || ruleIds.length === 0) return { skip: "the ModifySecurityGroupRules event names no rule set to a /0 source" };
      return revokeRules(groupId, ruleIds);
    }
    if (r.eventName !== "AuthorizeSecurityGroupIngress") return { skip: `only AuthorizeSecurityGroupIngress and ModifySecurityGroupRules are undone; this is ${r.eventName}` };
    const allowed = allowedPorts(f);
    const groupId = param(r, "groupId");
    const byId = created(r).filter((p) => !onlyAllowed(p, allowed));
    if (byId.length > 0) {
      const gid = groupId ?? byId[0]!.groupId;
      if (gid) return revokeRules(gid, byId.map((p) => p.ruleId!));
    }
    const perms = requested(r).filter((p) => !onlyAllowed(p, allowed));
    if (perms.length === 0) return { skip: "the event opened no ingress to a /0 range beyond the allowed ports; nothing to revoke" };
    const groupName = param(r, "groupName");
    if (!groupId && !groupName) return { skip: "the event names no security group (groupId/groupName missing)" };
    const revoke: PlannedCall = { action: "ec2:RevokeSecurityGroupIngress", region, input: { ...(groupId ? { GroupId: groupId } : { GroupName: groupName }), IpPermissions: toIpPermissions(perms) } };
    const rules: PlannedCall = { action: "ec2:DescribeSecurityGroupRules", region, input: { Filters: [{ Name: "group-id", Values: [groupId ?? `(id of ${groupName})`] }] } };
    return {
      target: `security group ${groupId ?? groupName}`,
      targetArns: [arnOf(groupId ?? groupName!)],
      calls: groupId ? [rules, revoke] : [{ action: "ec2:DescribeSecurityGroups", region, input: { GroupNames: [groupName] } }, rules, revoke],
    };
  }

  protected async execute(f: Finding, plan: { calls: PlannedCall[]; target: string }): Promise<RemediationResult> {
    const revoke = plan.calls[plan.calls.length - 1]!;
    const ec2 = await this.clients.ec2(revoke.region);
    const input = revoke.input as { GroupId?: string; GroupName?: string; IpPermissions?: IpPermission[]; SecurityGroupRuleIds?: string[] };
    // The re-check: the rules as they are now, of which only those still ingress and open to /0 are revoked.
    let open: SecurityGroupRule[];
    let groupId = input.GroupId;
    const first = plan.calls[0]!;
    try {
      if (input.SecurityGroupRuleIds) {
        const res = await ec2.send(new DescribeSecurityGroupRulesCommand({ SecurityGroupRuleIds: input.SecurityGroupRuleIds }));
        open = (res?.SecurityGroupRules ?? []).filter(isOpenIngress);
      } else {
        if (!groupId) {
          const res = await ec2.send(new DescribeSecurityGroupsCommand({ GroupNames: [input.GroupName!] }));
          groupId = res?.SecurityGroups?.[0]?.GroupId;
          if (!groupId) return this.result("apply", "skipped", `${plan.target} no longer exists; nothing to revoke`, { found: `${plan.target} no longer exists` });
        }
        const wanted = requested(f.record).filter((p) => !onlyAllowed(p, allowedPorts(f)));
        open = (await this.rulesOf(ec2, groupId)).filter((x) => wanted.some((p) => sameOpening(x, p)));
      }
    } catch (e) {
      return this.failure(e, first, GONE);
    }
    if (open.length === 0) {
      const found = `no rule of ${plan.target} that the event opened is still ingress open to a /0 range`;
      return this.result("apply", "skipped", `the world-open ingress of ${plan.target} is no longer there; nothing to revoke`, { found });
    }
    const ids = open.map((x) => x.SecurityGroupRuleId!).filter(Boolean);
    const found = `still open to the world in ${plan.target}: ${open.map(describeRule).join(", ")}`;
    const call: PlannedCall = { ...revoke, input: { GroupId: groupId ?? open[0]!.GroupId, SecurityGroupRuleIds: ids } };
    try {
      const res = await ec2.send(new RevokeSecurityGroupIngressCommand(call.input as { GroupId: string; SecurityGroupRuleIds: string[] }));
      if (res?.Return === false) return this.result("apply", "failed", `${call.action} on ${plan.target} returned false`, { found });
    } catch (e) {
      return this.failure(e, call, GONE, { found });
    }
    const done = `revoked world-open ingress rule(s) ${open.map(describeRule).join(", ")} of ${plan.target}`;
    return this.result("apply", "succeeded", done, { found, done });
  }

  /** Every rule of a security group (DescribeSecurityGroupRules by group id, paged, bounded). */
  private async rulesOf(ec2: Awaited<ReturnType<RemediationClients["ec2"]>>, groupId: string): Promise<SecurityGroupRule[]> {
    const out: SecurityGroupRule[] = [];
    let token: string | undefined;
    for (let page = 0; page < MAX_RULE_PAGES; page++) {
      const res = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: "group-id", Values: [groupId] }], MaxResults: 1000, ...(token ? { NextToken: token } : {}) }));
      out.push(...(res?.SecurityGroupRules ?? []));
      token = res?.NextToken;
      if (!token) break;
    }
    return out;
  }
}
