/**
 * `npm run replay-undeliverable -- --queue URL --topic ARN [--dry-run] [--max N]`: publishes the
 * alerts on the undeliverable-alerts queue to the alert topic again (after the cause is fixed: a
 * key or topic policy, a topic that was gone), deleting each message once it was sent. Messages
 * that are not alerts, or that SNS still refuses, stay on the queue and are listed.
 * The region is the queue URL's (else AWS_REGION); credentials come from the usual AWS environment
 * (profile, SSO, variables).
 */
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { Command, InvalidArgumentError } from "commander";
import { SnsAlertSink } from "../functions/adapters/aws/sns-alert-sink";
import { replayUndeliverableAlerts } from "../functions/adapters/aws/undeliverable-replay";
import { visible } from "../functions/core/alert/escape";
import { clientSettings } from "../functions/adapters/aws/client-settings";

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`expected a positive integer, got "${v}"`);
  return n;
}

/** Region of a queue URL such as https://sqs.eu-west-1.amazonaws.com/111122223333/name. */
function regionOf(queueUrl: string): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\//.exec(queueUrl)?.[1];
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command()
    .name("replay-undeliverable-alerts")
    .description("Publish the alerts on the undeliverable-alerts queue to the alert topic again")
    .requiredOption("--queue <url>", "the undeliverable-alerts queue URL (terraform output undeliverable-alerts-queue-url)")
    .requiredOption("--topic <arn>", "the alert topic ARN (terraform output alert-topic-arn)")
    .option("--max <n>", "stop after this many messages", positiveInt, 1000)
    .option("--dry-run", "list what would be replayed; send and delete nothing")
    .exitOverride();
  try {
    program.parse(argv, { from: "user" });
  } catch {
    return 1;
  }
  const o = program.opts<{ queue: string; topic: string; max: number; dryRun?: boolean }>();
  // The queue's region, else AWS_REGION; timeouts as in the functions, so a stuck connection fails the run.
  const settings = clientSettings({ region: regionOf(o.queue) });
  const sqs = new SQSClient(settings);
  // No undeliverable path here: an alert SNS still refuses must stay on the queue, not be queued again.
  const sink = new SnsAlertSink(new SNSClient(settings), o.topic);
  const report = await replayUndeliverableAlerts(sqs, o.queue, sink, { maxMessages: o.max, dryRun: o.dryRun === true });
  for (const r of report.replayed) process.stdout.write(`${o.dryRun ? "would replay" : "replayed"} ${r.alertId} ${visible(r.rule)}\n`);
  for (const k of report.kept) process.stderr.write(`kept ${k.messageId}: ${visible(k.reason)}\n`);
  process.stderr.write(`${report.replayed.length} alert(s) ${o.dryRun ? "to replay" : "replayed"}, ${report.kept.length} message(s) kept on the queue\n`);
  return report.kept.length > 0 ? 2 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      process.stderr.write(`replay-undeliverable-alerts: ${visible((e as Error).message)}\n`);
      process.exitCode = 1;
    },
  );
}
