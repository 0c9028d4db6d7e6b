import { BlockList, isIP } from "node:net";

/** An IPv4 or IPv6 network: `test(address)` says whether an address lies in it. */
export interface Cidr {
  readonly source: string;
  readonly test: (address: string) => boolean;
}

const CIDR = /^([0-9a-fA-F:.]{2,45})(?:\/(\d{1,3}))?$/;

/** Why `text` is not a CIDR (`10.0.0.0/8`, `2001:db8::/32`) or a single address, or undefined when it is. */
export function cidrProblem(text: string): string | undefined {
  const m = CIDR.exec(text);
  const family = m ? isIP(m[1]!) : 0;
  if (!m || family === 0) return "not a CIDR: expected an IPv4 or IPv6 network such as 203.0.113.0/24 or 2001:db8::/32, or a single address";
  const max = family === 4 ? 32 : 128;
  if (m[2] !== undefined && Number(m[2]) > max) return `not a CIDR: the prefix length of an IPv${family} network is at most ${max}`;
  return undefined;
}

/**
 * Compiles a CIDR (or a single address) with Node's `BlockList`. Throws on an invalid one (check
 * with {@link cidrProblem} first). An address of the other family, or text that is no address
 * (CloudTrail writes `AWS Internal` or a service name as the source of some calls), never matches.
 */
export function cidr(text: string): Cidr {
  const problem = cidrProblem(text);
  if (problem) throw new Error(`"${text}" is ${problem}`);
  const [, addr, prefix] = CIDR.exec(text)!;
  const family = isIP(addr!) === 4 ? "ipv4" : "ipv6";
  const list = new BlockList();
  list.addSubnet(addr!, prefix === undefined ? (family === "ipv4" ? 32 : 128) : Number(prefix), family);
  return {
    source: text,
    test(address: string): boolean {
      const f = address.length <= 45 ? isIP(address) : 0;
      if (f === 0 || (f === 4) !== (family === "ipv4")) return false;
      return list.check(address, family);
    },
  };
}
