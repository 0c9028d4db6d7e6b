import type { FanoutMessage } from "./message";
import type { BusinessUnit, MusterConfig } from "./units";
import { windowFor, checkWindow, type QueryWindow } from "./window";

/** An account as Organizations describes it. */
export interface OrgAccount {
  id: string;
  name: string;
  email: string;
  /** `ACTIVE`, `SUSPENDED`, `PENDING_CLOSURE`, `CLOSED`... (Organizations' State, or Status). */
  state: string;
}

/** Port: lists an Organization's accounts (AWS Organizations in AWS). */
export interface AccountDirectory {
  /** Accounts directly in these OUs or roots and in every OU nested below them. */
  accountsUnder(parentIds: readonly string[]): Promise<OrgAccount[]>;
  /** Accounts carrying tag `key` with one of `values`. */
  accountsTagged(key: string, values: readonly string[]): Promise<OrgAccount[]>;
}

/** One message to fan out, with the attributes subscriptions filter on. */
export interface FanoutEnvelope {
  message: FanoutMessage;
  attributes: { account: string; unit: string; dedicated: "yes" | "no" };
}

/** Port: publishes fan-out messages (SNS PublishBatch in AWS). */
export interface FanoutPublisher {
  publish(envelopes: readonly FanoutEnvelope[]): Promise<{ published: number; requests: number; failed: { account: string; reason: string }[] }>;
}

export interface MusterRequest {
  unit: string;
  /** When the schedule fired; the window is derived from it. */
  scheduledTime: Date;
  /** A manual run may name its window instead (backfill). */
  window?: QueryWindow;
}

export interface MusterResult {
  unit: string;
  window: QueryWindow;
  accounts: number;
  skipped: { account: string; reason: string }[];
  published: number;
  requests: number;
}

/** Picks the unit's accounts: ACTIVE only, not excluded, each once. */
export function selectAccounts(accounts: readonly OrgAccount[], unit: BusinessUnit, config: Pick<MusterConfig, "excludeAccounts">): { selected: OrgAccount[]; skipped: { account: string; reason: string }[] } {
  const excluded = new Set([...config.excludeAccounts, ...unit.excludeAccounts]);
  const seen = new Set<string>();
  const selected: OrgAccount[] = [];
  const skipped: { account: string; reason: string }[] = [];
  for (const a of accounts) {
    if (seen.has(a.id)) continue;
    seen.add(a.id);
    if (a.state !== "ACTIVE") skipped.push({ account: a.id, reason: `state ${a.state}` });
    else if (excluded.has(a.id)) skipped.push({ account: a.id, reason: "excluded by configuration" });
    else selected.push(a);
  }
  selected.sort((x, y) => x.id.localeCompare(y.id));
  return { selected, skipped };
}

/**
 * One muster run: finds the unit's accounts and fans out one message per account carrying the
 * window. Throws (so the run is retried, then lands in the DLQ) when the unit is unknown or some
 * messages could not be published after retries; the error lists the accounts concerned.
 */
export async function runMuster(req: MusterRequest, deps: { config: MusterConfig; directory: AccountDirectory; fanout: FanoutPublisher }): Promise<MusterResult> {
  const unit = deps.config.units.find((u) => u.name === req.unit);
  if (!unit) throw new Error(`unknown business unit "${req.unit}" (configured: ${deps.config.units.map((u) => u.name).join(", ")})`);
  const window = req.window ?? windowFor(req.scheduledTime, { periodMinutes: unit.periodMinutes, overlapMinutes: unit.overlapMinutes });
  const problem = checkWindow(window);
  if (problem) throw new RangeError(problem);

  const found = unit.organizationalUnits ? await deps.directory.accountsUnder(unit.organizationalUnits) : await deps.directory.accountsTagged(unit.tag!.key, unit.tag!.values);
  const { selected, skipped } = selectAccounts(found, unit, deps.config);
  const dedicated = new Set(deps.config.dedicatedAccounts);
  const scheduledTime = req.scheduledTime.toISOString();
  const envelopes: FanoutEnvelope[] = selected.map((a) => ({
    message: { version: 1, unit: unit.name, account: { id: a.id, name: a.name, email: a.email }, window, scheduledTime },
    attributes: { account: a.id, unit: unit.name, dedicated: dedicated.has(a.id) ? "yes" : "no" },
  }));
  const res = await deps.fanout.publish(envelopes);
  if (res.failed.length > 0) {
    const list = res.failed.slice(0, 20).map((f) => `${f.account} (${f.reason})`).join(", ");
    throw new Error(`muster ${unit.name}: ${res.failed.length} of ${envelopes.length} account message(s) could not be published: ${list}${res.failed.length > 20 ? " ..." : ""}`);
  }
  return { unit: unit.name, window, accounts: selected.length, skipped, published: res.published, requests: res.requests };
}
