import type { Alert, RemediationResult } from "./alert/alert";
import type { InvalidRecord } from "./record/schema";
import type { RecordFilter, SelectiveDecoder } from "./record/record-filter";
import type { Finding } from "./rules/engine";
import type { ThresholdState } from "./rules/threshold-window";

/** One log file (local path or S3 object) as a source knows it. */
export interface LogFileRef {
  /** Path or `s3://bucket/key`; used in every message about the file. */
  id: string;
  size?: number;
  /** Set by a source that will not read this file, with the reason (digest file, not a log file). */
  skip?: string;
  /**
   * Set by a source that cannot open this path at all (it does not exist, cannot be listed): an error
   * in the run's report, never counted as a file read.
   */
  error?: string;
}

/** What could be taken out of one log file. Never throws for bad content: problems are data. */
export interface LogFileContent {
  /** Raw records that have string eventName/eventSource/eventTime. */
  records: Record<string, unknown>[];
  /**
   * Where each record was in the file (`Records[3]`, `line 7`, `b.json Records[0]`), parallel to
   * `records`; absent when record `i` is `Records[i]` of the file's one `{"Records":[...]}` document.
   */
  where?: string[];
  /** Records that were present but unusable, with their position. */
  invalid: InvalidRecord[];
  /** Unusable records beyond those listed in `invalid` (counted, not kept: a file lists at most 1,000). */
  moreInvalid?: number;
  /** Set when the file was deliberately not read (digest file, not CloudTrail); not an error. */
  skipped?: string;
  /** Set when the file (or part of it) could not be read; the records before the fault are still returned. */
  error?: string;
  /** Bytes of uncompressed text read. */
  bytes: number;
  /**
   * Valid records that no rule can see, counted but not parsed (selective decoding): they are records
   * read, like those in `records`, and never yield an alert.
   */
  unparsed?: number;
  /** When `where` is absent: record `i` is `Records[recordIndex[i]]` (see `DecodedText.recordIndex`). */
  recordIndex?: number[];
}

/** How a source decodes what it reads. */
export interface ReadOptions {
  /**
   * With `selective`: parse only the records this filter says a rule can see (the rule engine);
   * without both, every record is parsed.
   */
  filter?: RecordFilter;
  selective?: SelectiveDecoder;
}

/** Where CloudTrail log files come from (local files, S3). */
export interface LogSource {
  files(): AsyncIterable<LogFileRef>;
  read(file: LogFileRef, opts?: ReadOptions): Promise<LogFileContent>;
}

/** Distinct activity of one principal in a window (the anomaly detector's unit). */
export interface Activity {
  account: string;
  principal: string;
  principalType: string;
  eventSource: string;
  eventName: string;
  firstSeen: string;
  lastSeen: string;
  count: number;
}

/** Answers "what did each principal do in this window" (Athena in AWS, DuckDB locally). */
export interface ActivityQuery {
  distinctActivity(q: { account: string; from: Date; to: Date; regions?: string[] }): Promise<Activity[]>;
}

/** Sends alerts somewhere people see them (SNS email, Splunk HEC, stdout). */
export interface AlertSink {
  send(alerts: Alert[]): Promise<void>;
}

/** An alert that could not be delivered, with why. */
export interface UndeliverableAlert {
  alert: Alert;
  reason: string;
}

/**
 * Where alerts go that a sink could not deliver for good (deployed: the undeliverable-alerts SQS
 * queue, which has an alarm), so the other alerts go on and a person can replay these. `put` throws
 * when it could not keep every one of them; the caller then fails and retries, so nothing is lost.
 */
export interface UndeliverableAlerts {
  put(items: UndeliverableAlert[]): Promise<void>;
}

/** Carries out (or plans, in dry-run) the remediation attached to a finding. */
export interface Remediator {
  apply(finding: Finding, mode: "dry-run" | "apply"): Promise<RemediationResult>;
}

/** The state of one threshold group as stored, with the version a conditional save checks. */
export interface StoredThresholdState {
  state: ThresholdState | undefined;
  /** 0 when there is no state yet. */
  version: number;
}

/**
 * Where threshold rules keep their counts between batches (in memory for a CLI run; a DynamoDB table
 * for the log analyzer). `save` is conditional: it succeeds only when the stored version is still
 * `expectedVersion`, so two writers never overwrite each other's counts (the loser reloads and retries).
 */
export interface ThresholdStateStore {
  load(key: string): Promise<StoredThresholdState>;
  /**
   * Optional: the states of many keys in few round trips (a key with no state is absent from the
   * answer). The tracker reads every group of a batch this way first and falls back to `load` when a
   * save finds the state changed.
   */
  loadMany?(keys: readonly string[]): Promise<Map<string, StoredThresholdState>>;
  /** Stores `state` as version `expectedVersion + 1`; false when someone else saved first. */
  save(key: string, state: ThresholdState, expectedVersion: number, expiresAt: Date): Promise<boolean>;
}

/** An alert the trail heartbeat found, with when its condition began (when known). */
export interface Candidate {
  alert: Alert;
  since?: Date;
}

/** Which alerts to publish with email, which without, and which not at all this run. */
export interface PublishPlan {
  email: Alert[];
  quiet: Alert[];
  suppressed: Alert[];
  /** Gives back what the gate reserved for alerts that could not be published after all. */
  undo(unpublished: Alert[]): Promise<void>;
}

/**
 * Decides how often a persistent condition is reported (`adapters/aws/heartbeat-alert-gate.ts`). The
 * trail heartbeat runs every few minutes; a trail that stays broken must not mail people every run.
 */
export interface AlertGate {
  /** The time window alert ids are stable in (see `heartbeatAlert`). */
  readonly window: "day" | "hour";
  plan(candidates: Candidate[], now: Date): Promise<PublishPlan>;
}
