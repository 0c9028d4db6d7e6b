import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit, type Metrics } from "@aws-lambda-powertools/metrics";
import type { S3Client } from "@aws-sdk/client-s3";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import type { Alert } from "../../core/alert/alert";
import type { AlertSink, LogFileContent, LogSource, ThresholdStateStore } from "../../core/ports";
import { RuleEngine, type Finding } from "../../core/rules/engine";
import type { TunedRules } from "../../core/rules/tuning/apply";
import type { CatalogRule } from "../../core/rules/threshold-rule";
import { ThresholdStateConflictError, ThresholdTracker } from "../../core/rules/threshold-tracker";
import { scanLogs } from "../../core/scan";
import { isTransientAwsError } from "../../adapters/aws/aws-error";
import { objectIdempotencyKey, type DynamoIdempotencyStore } from "../../adapters/aws/idempotency-store";
import { parseNotification, type ObjectRef } from "../../adapters/aws/notifications";
import type { RemediationRunner } from "../../adapters/aws/remediation/runner";
import { RemediationTransientError } from "../../adapters/aws/remediation/types";
import { S3LogSource, S3ReadError, type OpenedObject } from "../../adapters/aws/s3-log-source";
import { errorFields } from "../../adapters/aws/error-fields";

/** Everything the analyzer works with; the handler builds it from the environment, tests from local servers. */
export interface LogAnalyzerDeps {
  /** Reads the announced objects (GetObject). */
  s3: Pick<S3Client, "send">;
  idempotency: DynamoIdempotencyStore;
  sink: AlertSink;
  catalog: readonly CatalogRule[];
  /**
   * Where threshold rules count across log files (`DynamoThresholdStore` on the idempotency table).
   * Without it threshold rules raise nothing: counting within one file would miss every burst split
   * over files.
   */
  thresholds?: ThresholdStateStore;
  /**
   * The deployment's tuned rules for one log object (`tunedRules` of the tuning its bundle embeds:
   * rules switched off, severities set, suppressions); without it the catalog runs as it is.
   */
  tune?: () => TunedRules;
  /** Runs a finding's remediation: `LambdaRemediationRunner` when deployed, the local `RemediationRunner` in tests. */
  remediation: Pick<RemediationRunner, "run">;
  logger: Logger;
  metrics: Metrics;
  /** A throttled remediation retries the message while it has been received fewer times than this (default 3). */
  remediationRetryReceives?: number;
}

function add(counts: Map<string, number>, key: string, n: number): void {
  counts.set(key, (counts.get(key) ?? 0) + n);
}

/** Another invocation holds the object right now: retry the message later. */
class ObjectBusyError extends Error {
  override name = "ObjectBusyError";
}

/** Counts of one invocation, published as metrics at its end. */
interface Tally {
  records: number;
  files: number;
  bad: number;
  skipped: number;
  failed: number;
  badMessages: number;
  anomalies: Map<string, number>;
  /** Matches kept back by suppressions, per rule: counted, never dropped silently. */
  suppressed: Map<string, number>;
}

const DEFAULT_LOCK_SECONDS = 900;

/**
 * The log analyzer: for each SQS message, the log objects it announces; for each object, claim it by
 * its content identity (so a redelivery or a duplicate notification never alerts twice), read it,
 * run the rule catalog, remediate where configured, send the alerts, then mark it done. A failure
 * fails only its message (`batchItemFailures`): transient ones are retried by SQS, permanent ones
 * land in the DLQ after `maxReceiveCount`, where a person can read the logged reason and replay.
 */
export function createLogAnalyzer(deps: LogAnalyzerDeps) {
  const { logger, metrics } = deps;
  const retryReceives = deps.remediationRetryReceives ?? 3;
  const warnedExpired = new Set<string>();

  return async function analyze(event: SQSEvent, context?: Pick<Context, "getRemainingTimeInMillis">): Promise<SQSBatchResponse> {
    if (!event || !Array.isArray(event.Records)) throw new Error("log-analyzer expects an SQS event with Records");
    const tally: Tally = { records: 0, files: 0, bad: 0, skipped: 0, failed: 0, badMessages: 0, anomalies: new Map(), suppressed: new Map() };
    const failures: { itemIdentifier: string }[] = [];
    try {
      // One message after the other: a duplicate later in the batch then finds the first one completed.
      for (const rec of event.Records) {
        const ok = await processMessage(rec, context, tally);
        if (!ok) failures.push({ itemIdentifier: rec.messageId });
      }
    } finally {
      publish(tally);
    }
    return { batchItemFailures: failures };
  };

  async function processMessage(rec: SQSRecord, context: Pick<Context, "getRemainingTimeInMillis"> | undefined, tally: Tally): Promise<boolean> {
    const messageId = rec.messageId;
    const receiveCount = Number(rec.attributes?.ApproximateReceiveCount ?? "1") || 1;
    const parsed = parseNotification(rec.body ?? "");
    if (!parsed.ok) {
      tally.badMessages++;
      logger.error("message is not a notification of CloudTrail log objects; failing it so it reaches the DLQ", { messageId, receiveCount, reason: parsed.reason });
      return false;
    }
    for (const why of parsed.ignored) logger.info("ignored part of a notification", { messageId, kind: parsed.kind, reason: why });
    const source = new S3LogSource(deps.s3, parsed.objects);
    let ok = true;
    let i = 0;
    for await (const ref of source.files()) {
      const object = parsed.objects[i++]!;
      if (ref.skip) {
        tally.skipped++;
        logger.info("object skipped", { messageId, object: ref.id, reason: ref.skip });
        continue;
      }
      try {
        await processObject(source, object, { messageId, receiveCount, context, tally });
      } catch (e) {
        ok = false;
        tally.failed++;
        const transient = e instanceof S3ReadError ? e.transient : e instanceof ObjectBusyError || e instanceof RemediationTransientError || e instanceof ThresholdStateConflictError || isTransientAwsError(e);
        logger.error(transient ? "object failed (transient); the message will be retried" : "object failed (permanent); the message goes to the DLQ after its retries", {
          messageId, receiveCount, object: ref.id, transient, ...errorFields(e),
        });
      }
    }
    return ok;
  }

  async function processObject(
    source: S3LogSource,
    object: ObjectRef,
    m: { messageId: string; receiveCount: number; context?: Pick<Context, "getRemainingTimeInMillis">; tally: Tally },
  ): Promise<void> {
    const opened = await source.open(object);
    if (opened.status === "gone") {
      m.tally.skipped++;
      logger.warn("object skipped", { messageId: m.messageId, object: `s3://${object.bucket}/${object.key}`, reason: opened.reason });
      return;
    }
    const o = opened.opened;
    const key = objectIdempotencyKey({ bucket: object.bucket, key: object.key, etag: o.etag, versionId: o.versionId });
    const remaining = m.context?.getRemainingTimeInMillis?.();
    const lockSeconds = remaining !== undefined ? Math.ceil(remaining / 1000) + 60 : DEFAULT_LOCK_SECONDS;
    const claim = await deps.idempotency.claim(key, lockSeconds, { messageId: m.messageId }).catch((e: unknown) => {
      o.discard();
      throw e;
    });
    if (claim.status === "completed") {
      o.discard();
      m.tally.skipped++;
      logger.info("object already processed; not alerting again", { messageId: m.messageId, object: o.id, etag: o.etag, completedAt: claim.completedAt });
      return;
    }
    if (claim.status === "in-progress") {
      o.discard();
      throw new ObjectBusyError(`${o.id} is being processed by another invocation (lock until ${claim.lockedUntil ?? "unknown"}); retry later`);
    }
    try {
      const result = await analyzeObject(o, object, m, new Set(claim.sent), key);
      // One alert at a time, each recorded once delivered: a failure half-way never repeats the ones sent.
      for (const alert of result.alerts) {
        await deps.sink.send([alert]);
        await deps.idempotency.markSent(claim, [alert.id]);
      }
      const done = await deps.idempotency.complete(claim, { alerts: String(result.alerts.length + claim.sent.length) });
      if (!done) logger.warn("idempotency lock was taken over before completion; a duplicate alert is possible", { messageId: m.messageId, object: o.id });
      // Counted only once the object is done, so a retried object is not counted twice.
      m.tally.records += result.records;
      m.tally.bad += result.bad;
      if (result.skipped) m.tally.skipped++;
      else m.tally.files++;
      for (const a of result.alerts) add(m.tally.anomalies, a.rule, 1);
      for (const x of result.suppressed) add(m.tally.suppressed, x.rule, x.count);
    } catch (e) {
      await deps.idempotency.release(claim).catch((err: unknown) =>
        logger.warn("could not release the idempotency lock; a retry waits for it to expire", { object: o.id, ...errorFields(err) }),
      );
      throw e;
    }
  }

  /**
   * Reads one object, runs the rules and remediates; returns the alerts to send (without those an
   * earlier attempt already sent, whose remediation also ran then) and the counts.
   */
  async function analyzeObject(o: OpenedObject, object: ObjectRef, m: { messageId: string; receiveCount: number }, alreadySent: ReadonlySet<string>, batch: string) {
    // Every record is parsed: with the deployed catalog selective decoding does not pay (functions/README.md), and
    // the decoder would not fit the bundle budget.
    const content = await o.read();
    const tuned = deps.tune?.();
    const engine = new RuleEngine(tuned?.rules ?? deps.catalog, { settings: tuned?.settings ?? {} });
    const findings = new Map<string, Finding>();
    const one: LogSource = {
      async *files() {
        yield { id: o.id, ...(o.size !== undefined ? { size: o.size } : {}) };
      },
      read: async (): Promise<LogFileContent> => content,
    };
    const scan = await scanLogs(one, engine, {
      onFinding: (f, alert) => {
        if (!findings.has(alert.id)) findings.set(alert.id, f);
      },
      maxRecordProblems: 5,
      // The object's content identity names the batch: a retry of it re-raises the same threshold alerts.
      ...(deps.thresholds ? { thresholds: new ThresholdTracker(deps.thresholds), batchId: () => batch } : {}),
      ...(tuned?.suppressions ? { suppressions: tuned.suppressions } : {}),
    });
    // An expired suppression no longer applies: said once per container, with what it would have kept back.
    for (const x of scan.expiredSuppressions) {
      if (!warnedExpired.has(x.suppression)) logger.warn("suppression expired; its matches are alerted again", { ...x });
      warnedExpired.add(x.suppression);
    }
    const alerts: Alert[] = scan.alerts.filter((a) => !alreadySent.has(a.id));
    for (const alert of alerts) {
      const f = findings.get(alert.id);
      // The object's key goes along: the remediation refuses an event whose account is not the key's account segment.
      if (f) alert.remediation = await deps.remediation.run(f, { source: { bucket: object.bucket, key: object.key }, retryTransient: m.receiveCount < retryReceives });
    }
    const bad = scan.stats.invalidRecords + scan.stats.filesWithErrors;
    const log = {
      messageId: m.messageId,
      object: o.id,
      etag: o.etag,
      records: scan.stats.records,
      invalidRecords: scan.stats.invalidRecords,
      alerts: alerts.map((a) => ({ id: a.id, rule: a.rule, severity: a.severity, remediation: a.remediation?.status })),
      ...(alreadySent.size ? { alreadySent: alreadySent.size } : {}),
      ...(scan.ruleErrors.length ? { ruleErrors: scan.ruleErrors } : {}),
      ...(scan.suppressed.length ? { suppressed: scan.suppressed } : {}),
      ...(scan.expiredSuppressions.some((x) => x.matches) ? { expiredSuppressions: scan.expiredSuppressions.filter((x) => x.matches) } : {}),
      ...(scan.invalidRecords.length ? { firstInvalid: scan.invalidRecords.map((p) => `${p.where ?? ""}: ${p.reason}`) } : {}),
    };
    if (content.error) logger.warn("object partly unreadable; its good records were analyzed", { ...log, problem: content.error });
    else if (content.skipped) logger.info("object is not a CloudTrail log", { ...log, reason: content.skipped });
    else logger.info("object analyzed", log);
    return { alerts, records: scan.stats.records, bad, skipped: Boolean(content.skipped), suppressed: scan.suppressed };
  }

  function perRule(name: string, counts: Map<string, number>): void {
    let total = 0;
    for (const n of counts.values()) total += n;
    metrics.addMetric(name, MetricUnit.Count, total);
    for (const [rule, n] of counts) {
      const single = metrics.singleMetric();
      single.addDimension("rule", rule);
      single.addMetric(name, MetricUnit.Count, n);
    }
  }

  function publish(t: Tally): void {
    metrics.addMetric("RecordsProcessed", MetricUnit.Count, t.records);
    metrics.addMetric("FilesProcessed", MetricUnit.Count, t.files);
    metrics.addMetric("FilesSkipped", MetricUnit.Count, t.skipped);
    metrics.addMetric("FilesFailed", MetricUnit.Count, t.failed);
    metrics.addMetric("BadRecords", MetricUnit.Count, t.bad);
    metrics.addMetric("BadMessages", MetricUnit.Count, t.badMessages);
    // The aggregate (service dimension only) is what the alarm watches; one more line per rule says which.
    perRule("AnomaliesDetected", t.anomalies);
    // Suppressed matches: how much known-good activity the tuning keeps out of the alerts.
    perRule("SuppressedMatches", t.suppressed);
    metrics.publishStoredMetrics();
  }
}
