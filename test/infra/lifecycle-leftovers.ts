/**
 * After `terraform destroy`: what is still in the emulator under the deployment's names. Each
 * resource type the stack creates has a probe (a list call in every watched region), or is named as
 * living inside another resource that is probed (a queue's policy goes with the queue). A resource
 * type without either fails the check, so a new type cannot slip past it.
 *
 * Services the repository has no SDK client for (EventBridge, CloudWatch, CloudWatch Logs, Glue,
 * Athena, Scheduler, Step Functions, CloudFormation) are asked with one plain request each: moto
 * reads the service and region from the Authorization header's scope and checks no signature.
 */
import { ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { ListRolesCommand } from "@aws-sdk/client-iam";
import { DescribeKeyCommand, ListAliasesCommand, ListKeysCommand } from "@aws-sdk/client-kms";
import { ListEventSourceMappingsCommand, ListFunctionsCommand } from "@aws-sdk/client-lambda";
import { ListBucketsCommand } from "@aws-sdk/client-s3";
import { ListTopicsCommand } from "@aws-sdk/client-sns";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import type { EmulatorClients } from "./lifecycle-support";

type Probe = (ctx: { region: string; prefix: string; clients: EmulatorClients; moto: MotoRequest }) => Promise<string[]>;
type MotoRequest = (service: string, region: string, req: { target?: string; json?: unknown; form?: Record<string, string>; method?: string; path?: string }) => Promise<string>;

/** Resource types probed by listing, regional ones in every watched region. */
const PROBES: Record<string, Probe> = {
  aws_sqs_queue: async ({ clients, prefix }) => ((await clients.sqs.send(new ListQueuesCommand({ QueueNamePrefix: `${prefix}-` }))).QueueUrls ?? []),
  aws_sns_topic: async ({ clients, prefix }) => ((await clients.sns.send(new ListTopicsCommand({}))).Topics ?? []).map((t) => t.TopicArn!).filter((a) => a.split(":").at(-1)!.startsWith(`${prefix}-`)),
  aws_dynamodb_table: async ({ clients, prefix }) => ((await clients.dynamodb.send(new ListTablesCommand({}))).TableNames ?? []).filter((n) => n.startsWith(`${prefix}-`)),
  aws_lambda_function: async ({ clients, prefix }) => ((await clients.lambda.send(new ListFunctionsCommand({}))).Functions ?? []).map((f) => f.FunctionName!).filter((n) => n.startsWith(`${prefix}-`)),
  aws_lambda_event_source_mapping: async ({ clients, prefix }) =>
    ((await clients.lambda.send(new ListEventSourceMappingsCommand({}))).EventSourceMappings ?? []).map((m) => `${m.EventSourceArn} -> ${m.FunctionArn}`).filter((m) => m.includes(`:function:${prefix}-`)),
  aws_kms_key: async ({ clients, prefix }) => {
    const out: string[] = [];
    for (const k of (await clients.kms.send(new ListKeysCommand({}))).Keys ?? []) {
      const meta = (await clients.kms.send(new DescribeKeyCommand({ KeyId: k.KeyId }))).KeyMetadata!;
      // Destroy schedules a key's deletion (30 days): PendingDeletion is what it leaves, by design.
      if ((meta.Description ?? "").startsWith(`trailwatch ${prefix}:`) && meta.KeyState !== "PendingDeletion") out.push(`${meta.Arn} (${meta.KeyState})`);
    }
    return out;
  },
  aws_kms_alias: async ({ clients, prefix }) => ((await clients.kms.send(new ListAliasesCommand({}))).Aliases ?? []).map((a) => a.AliasName!).filter((n) => n === `alias/${prefix}` || n.startsWith(`alias/${prefix}-`)),
  aws_cloudwatch_event_rule: async ({ moto, region, prefix }) =>
    (JSON.parse(await moto("events", region, { target: "AWSEvents.ListRules", json: { NamePrefix: `${prefix}-` } })) as { Rules?: { Name: string }[] }).Rules?.map((r) => r.Name) ?? [],
  aws_cloudwatch_log_group: async ({ moto, region, prefix }) =>
    ((JSON.parse(await moto("logs", region, { target: "Logs_20140328.DescribeLogGroups", json: {} })) as { logGroups?: { logGroupName: string }[] }).logGroups ?? [])
      .map((g) => g.logGroupName)
      .filter((n) => n.includes(`/${prefix}-`)),
  aws_cloudwatch_metric_alarm: async ({ moto, region, prefix }) =>
    [...(await moto("monitoring", region, { form: { Action: "DescribeAlarms", Version: "2010-08-01", AlarmNamePrefix: `${prefix}-` } })).matchAll(/<AlarmName>([^<]+)<\/AlarmName>/g)].map((m) => m[1]!),
  aws_glue_catalog_database: async ({ moto, region, prefix }) =>
    ((JSON.parse(await moto("glue", region, { target: "AWSGlue.GetDatabases", json: {} })) as { DatabaseList?: { Name: string }[] }).DatabaseList ?? []).map((d) => d.Name).filter((n) => n.startsWith(`${prefix.replace(/-/g, "_")}_`)),
  aws_athena_workgroup: async ({ moto, region, prefix }) =>
    ((JSON.parse(await moto("athena", region, { target: "AmazonAthena.ListWorkGroups", json: {} })) as { WorkGroups?: { Name: string }[] }).WorkGroups ?? []).map((w) => w.Name).filter((n) => n.startsWith(`${prefix}-`)),
  aws_scheduler_schedule: async ({ moto, region, prefix }) =>
    ((JSON.parse(await moto("scheduler", region, { method: "GET", path: `/schedules?NamePrefix=${encodeURIComponent(`${prefix}-`)}` })) as { Schedules?: { Name: string }[] }).Schedules ?? []).map((s) => s.Name),
  aws_sfn_state_machine: async ({ moto, region, prefix }) =>
    ((JSON.parse(await moto("states", region, { target: "AWSStepFunctions.ListStateMachines", json: {} })) as { stateMachines?: { name: string }[] }).stateMachines ?? []).map((m) => m.name).filter((n) => n.startsWith(`${prefix}-`)),
  // moto keeps deleted stack sets in the list (status DELETED) and ignores the Status filter: read each summary's status.
  aws_cloudformation_stack_set: async ({ moto, region, prefix }) =>
    (await moto("cloudformation", region, { form: { Action: "ListStackSets", Version: "2010-05-15", Status: "ACTIVE" } }))
      .split("<member>")
      .slice(1)
      .filter((summary) => /<Status>ACTIVE<\/Status>/.test(summary))
      .map((summary) => /<StackSetName>([^<]+)<\/StackSetName>/.exec(summary)?.[1] ?? "?")
      .filter((n) => n.startsWith(`${prefix}-`)),
};

/** Global resource types (one probe, not one per region). */
const GLOBAL: Record<string, Probe> = {
  aws_s3_bucket: async ({ clients, prefix }) => ((await clients.s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name!).filter((n) => n.startsWith(`${prefix}-`)),
  aws_iam_role: async ({ clients, prefix }) => ((await clients.iam.send(new ListRolesCommand({}))).Roles ?? []).map((r) => r.RoleName!).filter((n) => n.startsWith(`${prefix}-`)),
};

/** Types that exist only inside another resource: gone when it is. */
const PART_OF: Record<string, string> = {
  aws_sqs_queue_policy: "aws_sqs_queue",
  aws_sns_topic_policy: "aws_sns_topic",
  // Subscriptions to the deployment's own topics go with them; the one to the trail's topic is checked with the user's resources.
  aws_sns_topic_subscription: "aws_sns_topic",
  aws_iam_role_policy: "aws_iam_role",
  aws_lambda_permission: "aws_lambda_function",
  aws_lambda_function_event_invoke_config: "aws_lambda_function",
  aws_cloudwatch_event_target: "aws_cloudwatch_event_rule",
  aws_glue_catalog_table: "aws_glue_catalog_database",
  aws_cloudformation_stack_set_instance: "aws_cloudformation_stack_set",
  aws_s3_bucket_policy: "aws_s3_bucket",
  aws_s3_bucket_public_access_block: "aws_s3_bucket",
  aws_s3_bucket_ownership_controls: "aws_s3_bucket",
  aws_s3_bucket_lifecycle_configuration: "aws_s3_bucket",
  aws_s3_bucket_server_side_encryption_configuration: "aws_s3_bucket",
  // On the user's trail bucket when chosen: checked with the user's resources.
  aws_s3_bucket_notification: "aws_s3_bucket",
};

/** Whether a resource type lives inside another one (and is gone with it). */
export function isPartOfAnother(type: string): boolean {
  return type in PART_OF;
}

/** A plain request to moto for a service without an SDK client here (JSON target, query form or REST GET). */
export function motoRequester(endpoint: string): MotoRequest {
  return async (service, region, req) => {
    const date = "20260101T000000Z";
    const headers: Record<string, string> = {
      authorization: `AWS4-HMAC-SHA256 Credential=test/${date.slice(0, 8)}/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=0`,
      "x-amz-date": date,
    };
    let body: string | undefined;
    if (req.target) {
      headers["x-amz-target"] = req.target;
      headers["content-type"] = "application/x-amz-json-1.1";
      body = JSON.stringify(req.json ?? {});
    } else if (req.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(req.form).toString();
    }
    const res = await fetch(`${endpoint}${req.path ?? "/"}`, { method: req.method ?? "POST", headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${service} ${req.target ?? req.form?.Action ?? req.path} in ${region}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text;
  };
}

/**
 * What is left of the deployment: for every resource type in `types`, the resources still named
 * after it, as `type region: name` lines. Throws for a type with neither a probe nor a parent.
 */
export async function leftovers(opts: { types: string[]; regions: string[]; prefix: string; clients: (region: string) => EmulatorClients; motoEndpoint: string }): Promise<string[]> {
  const unprobed = opts.types.filter((t) => !(t in PROBES) && !(t in GLOBAL) && !(PART_OF[t] && opts.types.includes(PART_OF[t])));
  if (unprobed.length > 0) throw new Error(`no leftover probe for ${unprobed.join(", ")}: add one to PROBES (or PART_OF) in test/infra/lifecycle-leftovers.ts`);
  const moto = motoRequester(opts.motoEndpoint);
  const found: string[] = [];
  for (const type of opts.types) {
    if (GLOBAL[type]) {
      found.push(...(await GLOBAL[type]({ region: opts.regions[0]!, prefix: opts.prefix, clients: opts.clients(opts.regions[0]!), moto })).map((n) => `${type}: ${n}`));
      continue;
    }
    const probe = PROBES[type];
    if (!probe) continue;
    for (const region of opts.regions) {
      found.push(...(await probe({ region, prefix: opts.prefix, clients: opts.clients(region), moto })).map((n) => `${type} ${region}: ${n}`));
    }
  }
  return found;
}
