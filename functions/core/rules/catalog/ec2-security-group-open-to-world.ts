import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asBool, asList, dig, hourOf, isWorldCidr, paramString } from "../helpers";

const settingsSchema = z.strictObject({
  /** Ports that may be open to the world without an alert (a rule covering only these is ignored). */
  allowedPorts: z.array(z.int().check(z.minimum(0), z.maximum(65535))),
});
type Settings = z.infer<typeof settingsSchema>;

/** Remote administration, databases, caches and container APIs: never meant for the whole internet. */
const SENSITIVE_PORTS = [22, 23, 445, 1433, 1521, 2375, 2376, 3306, 3389, 5432, 5601, 5900, 5984, 6379, 9042, 9200, 9300, 11211, 27017];

/** One world-open permission: protocol, port range (undefined = all) and the /0 range. */
export interface OpenPermission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr: string;
  ruleId?: string;
}

/** Reads the first present key among spellings (EC2 logs camelCase; newer APIs log PascalCase). */
function get(o: unknown, ...keys: string[]): unknown {
  for (const k of keys) {
    const v = dig(o, k);
    if (v !== undefined) return v;
  }
  return undefined;
}

function num(v: unknown): number | undefined {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

function permission(protocol: unknown, from: unknown, to: unknown, cidr: string, ruleId?: string): OpenPermission {
  const proto = String(protocol ?? "-1").toLowerCase();
  const all = proto === "-1" || proto === "all";
  return { protocol: all ? "all" : proto, fromPort: all ? undefined : num(from), toPort: all ? undefined : num(to), cidr, ruleId };
}

function fromIpPermissions(list: unknown[]): OpenPermission[] {
  const out: OpenPermission[] = [];
  for (const p of list) {
    const proto = get(p, "ipProtocol", "IpProtocol");
    const from = get(p, "fromPort", "FromPort");
    const to = get(p, "toPort", "ToPort");
    for (const r of asList(get(p, "ipRanges", "IpRanges"))) {
      const c = get(r, "cidrIp", "CidrIp");
      if (isWorldCidr(c)) out.push(permission(proto, from, to, c as string));
    }
    for (const r of asList(get(p, "ipv6Ranges", "Ipv6Ranges"))) {
      const c = get(r, "cidrIpv6", "CidrIpv6");
      if (isWorldCidr(c)) out.push(permission(proto, from, to, c as string));
    }
  }
  return out;
}

/** Rules the response says were created (AuthorizeSecurityGroupIngress), world-open ingress only. */
function fromRuleSet(r: CloudTrailRecord): OpenPermission[] {
  return asList(dig(r.responseElements, "securityGroupRuleSet"))
    .filter((x) => asBool(dig(x, "isEgress")) !== true)
    .flatMap((x) => {
      const c = [dig(x, "cidrIpv4"), dig(x, "cidrIpv6")].find(isWorldCidr) as string | undefined;
      return c ? [permission(dig(x, "ipProtocol"), dig(x, "fromPort"), dig(x, "toPort"), c, dig(x, "securityGroupRuleId") as string | undefined)] : [];
    });
}

/** World-open permissions this call adds, in every request shape EC2 logs. */
export function worldOpenPermissions(r: CloudTrailRecord): OpenPermission[] {
  const p = r.requestParameters ?? {};
  if (r.eventName === "ModifySecurityGroupRules") {
    const req = get(p, "ModifySecurityGroupRulesRequest", "modifySecurityGroupRulesRequest") ?? p;
    return asList(get(req, "SecurityGroupRule", "securityGroupRules", "SecurityGroupRules")).flatMap((item) => {
      const rule = get(item, "SecurityGroupRule", "securityGroupRule") ?? item;
      const c = [get(rule, "CidrIpv4", "cidrIpv4"), get(rule, "CidrIpv6", "cidrIpv6")].find(isWorldCidr) as string | undefined;
      if (!c) return [];
      return [permission(get(rule, "IpProtocol", "ipProtocol"), get(rule, "FromPort", "fromPort"), get(rule, "ToPort", "toPort"), c, get(item, "SecurityGroupRuleId", "securityGroupRuleId") as string | undefined)];
    });
  }
  const requested = fromIpPermissions(asList(get(p, "ipPermissions", "IpPermissions")));
  // The old flat form: --protocol/--port/--cidr on the command line.
  const flat = get(p, "cidrIp", "CidrIp");
  if (isWorldCidr(flat)) requested.push(permission(get(p, "ipProtocol", "IpProtocol"), get(p, "fromPort", "FromPort"), get(p, "toPort", "ToPort"), flat as string));
  const created = fromRuleSet(r);
  if (requested.length === 0) return created;
  // Attach the rule ids the response gives, so a remediator can revoke exactly those rules.
  return requested.map((q) => ({
    ...q,
    ruleId: created.find((c) => c.cidr === q.cidr && c.protocol === q.protocol && c.fromPort === q.fromPort && c.toPort === q.toPort)?.ruleId,
  }));
}

function coversAll(p: OpenPermission): boolean {
  return p.fromPort === undefined || p.toPort === undefined || (p.fromPort <= 0 && p.toPort >= 65535) || p.fromPort === -1;
}

function isIcmp(p: OpenPermission): boolean {
  return p.protocol === "icmp" || p.protocol === "1" || p.protocol === "icmpv6" || p.protocol === "58";
}

/** True when the permission opens at least one port that is not in the allowed list. */
function opensMoreThanAllowed(p: OpenPermission, allowed: readonly number[]): boolean {
  if (isIcmp(p)) return false;
  if (coversAll(p)) return true;
  for (let port = p.fromPort!; port <= p.toPort!; port++) if (!allowed.includes(port)) return true;
  return false;
}

function flagged(r: CloudTrailRecord, s: Settings): OpenPermission[] {
  return worldOpenPermissions(r).filter((p) => opensMoreThanAllowed(p, s.allowedPorts));
}

function sensitive(p: OpenPermission): number[] {
  if (coversAll(p)) return SENSITIVE_PORTS;
  return SENSITIVE_PORTS.filter((x) => x >= p.fromPort! && x <= p.toPort!);
}

function ports(p: OpenPermission): string {
  if (coversAll(p)) return "all ports";
  return p.fromPort === p.toPort ? `port ${p.fromPort}` : `ports ${p.fromPort}-${p.toPort}`;
}

function groupIdOf(r: CloudTrailRecord): string | undefined {
  return paramString(r, "groupId") ?? (dig(r.requestParameters, "ModifySecurityGroupRulesRequest", "GroupId") as string | undefined) ?? paramString(r, "groupName");
}

/**
 * Ingress opened to every address (an IPv4 or IPv6 /0) on a port that is not in `allowedPorts`
 * (default 80 and 443, which public load balancers need). Reads AuthorizeSecurityGroupIngress in its
 * ipPermissions form (ipRanges / ipv6Ranges items), its old flat cidrIp form and the
 * securityGroupRuleSet of its response, and ModifySecurityGroupRules, whose event does not say whether
 * the changed rule is ingress or egress (`context.direction` is then "unknown" and the remediator
 * must look the rule up). ICMP is not reported.
 */
export default defineRule<Settings, OpenPermission[]>({
  id: "ec2.security-group-open-to-world",
  title: "Security group opened to the internet",
  severity: "medium",
  description:
    "A security group rule now accepts traffic from any address on the internet (0.0.0.0/0 or ::/0) on ports beyond the allowed web ports. Remote administration and database ports open to the world are scanned and attacked within minutes. Restrict the source to known ranges, or use SSM Session Manager instead of open SSH/RDP.",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["AuthorizeSecurityGroupIngress", "ModifySecurityGroupRules"],
  match: (r, { settings }) => {
    const list = flagged(r, settings);
    return list.length > 0 ? list : false;
  },
  severityFor: (_r, _ctx, list) => (list.some((p) => sensitive(p).length > 0) ? "high" : "medium"),
  summary: (r, { principal }, list) => {
    const first = list[0]!;
    const more = list.length > 1 ? ` (+${list.length - 1} more)` : "";
    return `${actor(principal)} opened security group ${groupIdOf(r) ?? "(unknown)"} in account ${accountOfRecord(r)} to ${first.cidr} on ${first.protocol === "all" ? "all protocols" : first.protocol} ${ports(first)}${more}`;
  },
  context: (r, _ctx, list) => {
    return {
      groupId: groupIdOf(r),
      direction: r.eventName === "ModifySecurityGroupRules" ? "unknown" : "ingress",
      permissions: list.map((p) => ({ protocol: p.protocol, ports: coversAll(p) ? "all" : `${p.fromPort}-${p.toPort}`, cidr: p.cidr, securityGroupRuleId: p.ruleId })),
      sensitivePorts: [...new Set(list.flatMap(sensitive))],
    };
  },
  // The same opening repeated within the hour collapses; another port on the same group is a new alert.
  dedupKey: (r, _ctx, list) => {
    const perms = list.map((p) => `${p.protocol}:${p.fromPort ?? "all"}-${p.toPort ?? "all"}:${p.cidr}`).sort().join(",");
    return `${accountOfRecord(r)}|${r.awsRegion ?? ""}|${groupIdOf(r) ?? ""}|${perms}|${hourOf(r)}`;
  },
  remediation: "ec2.revoke-world-open-ingress",
  status: "stable",
  falsePositives: [
    "Load balancers and public web servers on ports beyond 80/443 that are meant to be public (add them to `allowedPorts`).",
    "Short-lived debugging rules opened by developers in sandbox accounts.",
  ],
  runbook: {
    triage: [
      "Which port, which group, and what is attached to the group (`aws ec2 describe-network-interfaces --filters Name=group-id,Values=<sg>`)?",
      "Was the port already being scanned or connected to (VPC flow logs, GuardDuty findings)?",
    ],
    contain: [
      "Revoke the rule (`aws ec2 revoke-security-group-ingress`, or enable the `ec2.revoke-world-open-ingress` remediation) and offer Session Manager instead of open SSH/RDP.",
    ],
  },
  references: {
    mitre: ["T1190", "T1562.007"],
    stratus: ["aws.exfiltration.ec2-security-group-open-port-22-ingress"],
    sigma: ["Ingress/Egress Security Group Modification"],
    urls: ["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
  },
  settings: { schema: settingsSchema, defaults: { allowedPorts: [80, 443] } },
});
