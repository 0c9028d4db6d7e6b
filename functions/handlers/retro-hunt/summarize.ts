import { Logger } from "@aws-lambda-powertools/logger";
import { S3Client } from "@aws-sdk/client-s3";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import type { Alert } from "../../core/alert/alert";
import { parseAlert } from "../../core/alert/schema";
import { batchResultSchema, clipText, type HuntBatchSettings } from "../../core/hunt/batch";
import { huntKeys } from "../../core/hunt/hunt-keys";
import { HuntAlertMerger, HuntSummaryBuilder, type HuntListing, type HuntSummary } from "../../core/hunt/summary";
import type { AlertSink } from "../../core/ports";
import { readMapRunResults } from "../../adapters/aws/map-run-results";
import { getObjectText, putObjectText } from "../../adapters/aws/s3-day-reader";
import { S3ObjectWriter } from "../../adapters/aws/s3-object-writer";
import { SnsAlertSink } from "../../adapters/aws/sns-alert-sink";
import { classifyAwsError } from "../../adapters/aws/transient-error";
import { SqsUndeliverableAlerts } from "../../adapters/aws/undeliverable-alerts";
import { clientSettings } from "../../adapters/aws/client-settings";
import { summarizeEnv, type SummarizeEnv } from "./env";
import type { PlanOutput } from "./plan";

/** The summarize step's input: the execution's state (input, `plan`, and `map` or `mapError`). */
export interface SummarizeEvent {
  state: { plan?: PlanOutput; map?: unknown; mapError?: { Error?: string; Cause?: string } };
  execution?: { name?: string; startTime?: string };
}

/** What the summarize step returns (the execution's output when it succeeds). */
export interface SummarizeOutput {
  hunt: string;
  status: HuntSummary["status"];
  summary: { bucket: string; key: string };
  alerts: { bucket: string; key: string; count: number };
  files: number;
  records: number;
  failedBatches: number;
}

/** What tests (or another wiring) may replace. */
export interface SummarizeOverrides {
  s3?: S3Client;
  /** Where published alerts go (default: the alert topic through SNS, if the deployment publishes). */
  sink?: AlertSink;
  sns?: SNSClient;
  sqs?: SQSClient;
  logger?: Logger;
  now?: () => Date;
}

/** Alerts published per SNS call batch (the sink splits further by SNS's own limits). */
const PUBLISH_CHUNK = 100;

/** The items of a failed batch, from its input (`{"BatchInput": ..., "Items": [{"key", "size"}]}`). */
function itemsOf(input: unknown): { key: string }[] {
  const items = (input as { Items?: unknown } | undefined)?.Items;
  return Array.isArray(items) ? items.filter((i): i is { key: string } => typeof (i as { key?: unknown })?.key === "string") : [];
}

/** Reads a batch's alerts (JSON Lines); a line that is not an alert is reported, the others kept. */
function alertsOfPart(text: string, key: string, problems: { file: string; reason: string }[]): Alert[] {
  const out: Alert[] = [];
  text.split("\n").forEach((line, i) => {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (e) {
      problems.push({ file: key, reason: `line ${i + 1}: not JSON (${(e as Error).message})` });
      return;
    }
    const parsed = parseAlert(json);
    if (parsed.ok) out.push(parsed.alert);
    else problems.push({ file: key, reason: `line ${i + 1}: not an alert (${parsed.reason})` });
  });
  return out;
}

/**
 * The last step of a hunt, run whether the Distributed Map succeeded, failed past its tolerated share
 * or was skipped (no log files): reads what the map's ResultWriter wrote (each batch's result, each
 * failed batch with Step Functions' error and cause and its keys, batches never run), merges the
 * batches' alerts by id, writes `alerts.jsonl` (worst first) and `summary.json`, and, when the hunt
 * asked for it and the deployment allows it, publishes the alerts (each marked `retroHunt`) to the
 * alert topic, an alert SNS refuses going to the undeliverable-alerts queue.
 */
export function createSummarizeHandler(env: Record<string, string | undefined> = process.env, overrides: SummarizeOverrides = {}) {
  const logger = overrides.logger ?? new Logger({ serviceName: "retro-hunt-summarize" });
  const now = overrides.now ?? (() => new Date());
  let cfg: SummarizeEnv | undefined;
  let s3: S3Client | undefined;

  function publisher(c: SummarizeEnv, counts: { undeliverable: number }): AlertSink | undefined {
    if (overrides.sink) return overrides.sink;
    if (!c.alertTopicArn) return undefined;
    const undeliverable = c.undeliverableQueueUrl ? new SqsUndeliverableAlerts(overrides.sqs ?? new SQSClient(clientSettings()), c.undeliverableQueueUrl) : undefined;
    return new SnsAlertSink(overrides.sns ?? new SNSClient(clientSettings()), c.alertTopicArn, {
      ...(undeliverable ? { undeliverable } : {}),
      onUndeliverable: ({ alert, reason }) => {
        counts.undeliverable++;
        logger.error("hunt alert could not be published; put on the undeliverable-alerts queue", { alertId: alert.id, rule: alert.rule, reason });
      },
    });
  }

  return async (event: SummarizeEvent): Promise<SummarizeOutput> => {
    cfg ??= summarizeEnv(env);
    s3 ??= overrides.s3 ?? new S3Client(clientSettings());
    const c = cfg;
    const plan = event?.state?.plan;
    if (!plan?.hunt?.id) throw new Error("the summarize step needs the plan step's output ($.plan) in its state");
    const hunt: HuntBatchSettings = plan.hunt;
    const keys = huntKeys(hunt.id);
    const uri = (key: string) => `s3://${c.resultsBucket}/${key}`;

    const planFile = JSON.parse((await getObjectText(s3, c.resultsBucket, keys.plan)) ?? "null") as { listing?: HuntListing; startedAt?: string } | null;
    if (!planFile?.listing) throw new Error(`${uri(keys.plan)} is missing; it is written by the plan step of the same hunt`);
    const summary = new HuntSummaryBuilder({
      hunt: hunt.id,
      window: { from: hunt.from, to: hunt.to },
      ...(plan.accounts ? { accounts: plan.accounts } : {}),
      ...(plan.regions ? { regions: plan.regions } : {}),
      ...(hunt.rules ? { rules: hunt.rules } : {}),
      ...(hunt.minSeverity ? { minSeverity: hunt.minSeverity } : {}),
      startedAt: planFile.startedAt ?? event.execution?.startTime ?? now().toISOString(),
      listing: planFile.listing,
      results: { summary: uri(keys.summary), alerts: uri(keys.alerts), mapResults: uri(`${keys.mapResults}/`) },
    });
    const mapError = event.state.mapError;
    if (mapError) summary.fail(mapError.Error ?? "States.MapRunFailed", mapError.Cause ?? "the Distributed Map failed");

    // What each batch reported, from the map's ResultWriter.
    const parts: string[] = [];
    const partProblems: { file: string; reason: string }[] = [];
    if (plan.files > 0) {
      const results = await readMapRunResults(s3, c.resultsBucket, keys.mapResults);
      if (results.manifests.length === 0 && !mapError) summary.fail("States.ResultWriterFailed", `no map run results under ${uri(keys.mapResults)}/`);
      for (const p of results.problems) partProblems.push({ file: uri(keys.mapResults), reason: p });
      for (const child of results.children.sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (child.status === "SUCCEEDED") {
          const r = batchResultSchema.safeParse(child.output);
          if (!r.success) {
            summary.addFailed({ batch: child.name, error: "InvalidBatchResult", cause: `the batch's output is not a batch result: ${clipText(JSON.stringify(child.output) ?? "undefined", 300)}`, keys: itemsOf(child.input).map((i) => i.key) });
            continue;
          }
          summary.addResult(r.data);
          if (r.data.alertsKey) parts.push(r.data.alertsKey);
        } else if (child.status === "FAILED") {
          summary.addFailed({ batch: child.name, error: child.error ?? "States.TaskFailed", cause: child.cause ?? "", keys: itemsOf(child.input).map((i) => i.key) });
        } else {
          summary.addPending(1, itemsOf(child.input).length);
        }
      }
    }

    // Merge the batches' alerts by id; beyond the merge limit, later ids are written as found (second pass).
    const merger = new HuntAlertMerger(c.mergeLimit);
    let overflow = false;
    const expectedPrefix = `${keys.root}alerts/`;
    const readPart = async (key: string): Promise<Alert[]> => {
      // A part key comes from a batch's output: only this hunt's own alert files are read.
      if (!key.startsWith(expectedPrefix)) {
        partProblems.push({ file: uri(key), reason: "not read: not an alert file of this hunt" });
        return [];
      }
      const text = await getObjectText(s3!, c.resultsBucket, key);
      if (text === undefined) {
        partProblems.push({ file: uri(key), reason: "missing: the batch reported alerts there" });
        return [];
      }
      return alertsOfPart(text, uri(key), partProblems);
    };
    for (const key of parts) for (const a of await readPart(key)) if (!merger.add(a)) overflow = true;

    const counts = { sent: 0, undeliverable: 0 };
    const sink = plan.publishAlerts ? publisher(c, counts) : undefined;
    if (plan.publishAlerts && !sink) summary.fail("PublishNotAllowed", "the hunt asked to publish its alerts but this deployment has no alert topic for hunts");
    const publish = async (batch: Alert[]) => {
      if (!sink || batch.length === 0) return;
      try {
        await sink.send(batch);
      } catch (e) {
        // Throttling past the SDK's retries: the step is retried (alerts sent before go again: at least once).
        throw classifyAwsError(e, `publishing the hunt's alerts to ${c.alertTopicArn ?? "the alert topic"}`);
      }
      counts.sent += batch.length;
    };

    const out = new S3ObjectWriter(s3, c.resultsBucket, keys.alerts, { contentType: "application/x-ndjson" });
    const merged = merger.all();
    try {
      for (const a of merged) {
        await out.write(`${JSON.stringify(a)}\n`);
        summary.countAlert(a);
      }
      if (overflow) {
        const kept = new Set(merged.map((a) => a.id));
        for (const key of parts) {
          const extra = (await readPart(key)).filter((a) => !kept.has(a.id));
          for (const a of extra) {
            await out.write(`${JSON.stringify(a)}\n`);
            summary.countAlert(a, true);
          }
          for (let i = 0; i < extra.length; i += PUBLISH_CHUNK) await publish(extra.slice(i, i + PUBLISH_CHUNK));
        }
      }
      await out.close();
    } catch (e) {
      await out.abort();
      throw e;
    }
    for (let i = 0; i < merged.length; i += PUBLISH_CHUNK) await publish(merged.slice(i, i + PUBLISH_CHUNK));
    if (sink) summary.published(counts.sent - counts.undeliverable, counts.undeliverable);
    for (const p of partProblems) summary.addFileProblem(p);

    const built = summary.build(now());
    await putObjectText(s3, c.resultsBucket, keys.summary, JSON.stringify(built, null, 1), "application/json");
    logger.info("hunt summarized", { hunt: hunt.id, status: built.status, files: built.scan.files, records: built.scan.records, alerts: built.alerts.total, failedBatches: built.batches.failed });
    return {
      hunt: hunt.id,
      status: built.status,
      summary: { bucket: c.resultsBucket, key: keys.summary },
      alerts: { bucket: c.resultsBucket, key: keys.alerts, count: built.alerts.total },
      files: built.scan.files,
      records: built.scan.records,
      failedBatches: built.batches.failed,
    };
  };
}

/** Lambda entry point, invoked by the retro-hunt state machine. */
export const handler = createSummarizeHandler();
