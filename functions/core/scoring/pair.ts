import { isAwsServicePrincipal, resolvePrincipal, type Principal } from "../record/principal";
import type { UserIdentity } from "../record/schema";

/**
 * One (principal, API) pair of a day and how often it occurred. The API is `eventSource` plus
 * `eventName`: `ListTags` on Lambda and on S3 are different calls. The principal is trailwatch's
 * stable principal id (the role ARN for assumed-role sessions, not the session ARN), so a role's
 * history is not split across its sessions.
 */
export interface PairCount {
  principal: string;
  /** A `PrincipalType` when counted here; any type name when read back from a store. */
  principalType: string;
  eventSource: string;
  eventName: string;
  count: number;
  /** First and last `eventTime` of the pair on the day (ISO 8601). */
  firstSeen: string;
  lastSeen: string;
  /** `eventID` of the first event, to find it in CloudTrail. */
  firstEventId: string;
}

/** What happened to the records a reader saw. */
export interface PairStats {
  /** Records counted into pairs. */
  records: number;
  /** Records of AWS services acting on their own (excluded). */
  serviceRecords: number;
  /** Records whose identity could not be resolved to a principal (counted under `unknown`). */
  unknownPrincipal: number;
}

/** Map key of a pair. NUL cannot occur in ARNs or event names. */
export function pairKey(p: { principal: string; eventSource: string; eventName: string }): string {
  return `${p.principal}\u0000${p.eventSource}\u0000${p.eventName}`;
}

/** Map key of an API (`eventSource` + `eventName`). */
export function apiKey(p: { eventSource: string; eventName: string }): string {
  return `${p.eventSource}\u0000${p.eventName}`;
}

/**
 * True when the record is an AWS service acting on its own behalf: the call came from a service
 * (`sourceIPAddress` such as `cloudformation.amazonaws.com`), or the identity
 * is a service principal or a service-linked role. Such calls say nothing about a person or
 * workload's habits and would drown the pairs that do.
 */
export function isServiceRecord(record: Record<string, unknown>, principal: Principal): boolean {
  const ip = record.sourceIPAddress;
  if (typeof ip === "string" && ip.endsWith(".amazonaws.com")) return true;
  return isAwsServicePrincipal(principal);
}

/**
 * Counts (principal, API) pairs over records. Records must have string `eventSource`, `eventName`
 * and `eventTime` (what `decodeLogText` returns); everything else is read defensively.
 */
export class PairAggregator {
  private readonly byKey = new Map<string, PairCount>();
  readonly stats: PairStats = { records: 0, serviceRecords: 0, unknownPrincipal: 0 };

  /** Adds one record; returns false when it was excluded as an AWS service call. */
  add(record: Record<string, unknown>): boolean {
    const p = resolvePrincipal(record.userIdentity as UserIdentity | undefined);
    if (isServiceRecord(record, p)) {
      this.stats.serviceRecords++;
      return false;
    }
    const principal = typeof p.id === "string" ? p.id : String(p.id);
    if (p.type === "Unknown" && principal === "unknown") this.stats.unknownPrincipal++;
    const eventSource = record.eventSource as string;
    const eventName = record.eventName as string;
    const eventTime = record.eventTime as string;
    this.stats.records++;
    const key = `${principal}\u0000${eventSource}\u0000${eventName}`;
    const seen = this.byKey.get(key);
    if (seen) {
      seen.count++;
      if (eventTime <= seen.firstSeen) {
        const id = typeof record.eventID === "string" ? record.eventID : "";
        // Ties go to the smaller event id, so the result does not depend on the order files were read in.
        if (eventTime < seen.firstSeen || id < seen.firstEventId) {
          seen.firstSeen = eventTime;
          seen.firstEventId = id;
        }
      }
      if (eventTime > seen.lastSeen) seen.lastSeen = eventTime;
      return true;
    }
    this.byKey.set(key, {
      principal, principalType: p.type, eventSource, eventName, count: 1,
      firstSeen: eventTime, lastSeen: eventTime,
      firstEventId: typeof record.eventID === "string" ? record.eventID : "",
    });
    return true;
  }

  /** Adds already-counted pairs (e.g. the partial result of another batch of the same day). */
  merge(pairs: Iterable<PairCount>): void {
    for (const p of pairs) {
      const key = pairKey(p);
      const seen = this.byKey.get(key);
      if (!seen) {
        this.byKey.set(key, { ...p });
        continue;
      }
      seen.count += p.count;
      if (p.firstSeen < seen.firstSeen || (p.firstSeen === seen.firstSeen && p.firstEventId < seen.firstEventId)) {
        seen.firstSeen = p.firstSeen;
        seen.firstEventId = p.firstEventId;
      }
      if (p.lastSeen > seen.lastSeen) seen.lastSeen = p.lastSeen;
    }
  }

  /** Adds another reader's stats (batches of one day). */
  mergeStats(s: PairStats): void {
    this.stats.records += s.records;
    this.stats.serviceRecords += s.serviceRecords;
    this.stats.unknownPrincipal += s.unknownPrincipal;
  }

  get size(): number {
    return this.byKey.size;
  }

  /** The pairs in a stable order (principal, eventSource, eventName), so outputs are reproducible. */
  pairs(): PairCount[] {
    return [...this.byKey.values()].sort(comparePairs);
  }
}

/** Orders pairs by principal, then eventSource, then eventName. */
export function comparePairs(a: PairCount, b: PairCount): number {
  return cmp(a.principal, b.principal) || cmp(a.eventSource, b.eventSource) || cmp(a.eventName, b.eventName);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
