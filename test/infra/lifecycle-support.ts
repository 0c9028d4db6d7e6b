/**
 * What the lifecycle test needs besides Terraform and the emulator: the example config moved to the
 * emulator's account, the user's own resources the deployment must leave alone, SDK clients at the
 * emulator, the list of what the emulator does not round-trip, and the wiring checks (environment
 * variables that name resources, the role statements that let a function use them).
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { IAMClient } from "@aws-sdk/client-iam";
import { KMSClient } from "@aws-sdk/client-kms";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { S3Client } from "@aws-sdk/client-s3";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { SNSClient } from "@aws-sdk/client-sns";
import { SQSClient } from "@aws-sdk/client-sqs";
import { DEFAULT_CONFIG, parseConfig } from "../../infra/config/load";
import type { DeploymentConfig } from "../../infra/config/schema";
import type { ResourceChange } from "../support/terraform";

/** The account the example config is written for; the emulator answers as its own account instead. */
export const EXAMPLE_ACCOUNT = "222233334444";

/**
 * The example config for the emulator: the example's own account (deployment, delegated
 * administrator, bucket, keys, secret) becomes the emulator's, and the HEC token secret and the
 * trail's key are the ones created in the emulator (their ARNs carry random ids).
 */
export function exampleForEmulator(account: string, opts: { hecSecretArn: string; trailKeyArn?: string; deletionProtection?: boolean }): DeploymentConfig {
  const raw = JSON.parse(readFileSync(DEFAULT_CONFIG, "utf8").replaceAll(EXAMPLE_ACCOUNT, account)) as Record<string, any>;
  raw.sinks.hec.tokenSecretArn = opts.hecSecretArn;
  if (opts.trailKeyArn) raw.cloudtrailLogs.kmsKeyArn = opts.trailKeyArn;
  if (opts.deletionProtection !== undefined) raw.deletionProtection = opts.deletionProtection;
  return parseConfig(raw, `example.json for account ${account}`);
}

/** SDK clients of one region at the emulator. */
export function emulatorClients(endpoint: string, region: string) {
  const common = { region, endpoint, credentials: { accessKeyId: "test", secretAccessKey: "test" }, maxAttempts: 2 };
  return {
    s3: new S3Client({ ...common, forcePathStyle: true, requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }),
    sqs: new SQSClient(common),
    sns: new SNSClient(common),
    dynamodb: new DynamoDBClient(common),
    lambda: new LambdaClient(common),
    kms: new KMSClient(common),
    iam: new IAMClient(common),
    secrets: new SecretsManagerClient(common),
  };
}
export type EmulatorClients = ReturnType<typeof emulatorClients>;

/** One gzipped CloudTrail log file with one CreateUser event (rule iam.user-created, which has no remediation). */
export function cloudTrailLogFile(account: string, eventTime: string): Buffer {
  const record = {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLEUSER00001", arn: `arn:aws:iam::${account}:user/mallory`, accountId: account, userName: "mallory" },
    eventTime,
    eventSource: "iam.amazonaws.com",
    eventName: "CreateUser",
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.7",
    userAgent: "aws-cli/2.15.0",
    requestParameters: { userName: "backdoor" },
    responseElements: { user: { userName: "backdoor", arn: `arn:aws:iam::${account}:user/backdoor` } },
    requestID: "5c0ffee0-0000-4000-8000-000000000001",
    eventID: "5c0ffee0-0000-4000-8000-000000000002",
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: account,
    eventCategory: "Management",
  };
  return gzipSync(JSON.stringify({ Records: [record] }));
}

/**
 * What the emulator does not round-trip, by resource type: the attributes that then differ on the
 * second plan, and why. Everything else must plan no change. (The gaps moto has that would cascade,
 * Lambda's LoggingConfig and SQS's RedrivePolicy formatting, are answered by the gap proxy instead,
 * so a policy document is never deferred to apply and a real policy drift cannot hide behind them.)
 */
export const EMULATOR_ROUND_TRIP_GAPS: Record<string, { attributes: string[]; why: string }> = {
  aws_cloudformation_stack_set: {
    // moto's DescribeStackSet leaves out AutoDeployment, Capabilities and ManagedExecution (and
    // answers empty Parameters/Tags and a default administration role), so the provider sees a
    // different stack set and replaces it; the other attributes are the replacement's new ids.
    attributes: ["auto_deployment", "capabilities", "managed_execution", "parameters", "tags", "administration_role_arn", "arn", "id", "stack_set_id", "execution_role_name"],
    why: "moto's DescribeStackSet drops AutoDeployment, Capabilities and ManagedExecution",
  },
};

/** The top-level attributes a planned change alters (known values that differ, or values known only after apply). */
export function changedAttributes(rc: ResourceChange): string[] {
  const before = rc.change.before ?? {};
  const after = rc.change.after ?? {};
  const unknown = rc.change.after_unknown ?? {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  const hasUnknown = (u: unknown): boolean => u === true || (Array.isArray(u) ? u.some(hasUnknown) : typeof u === "object" && u !== null && Object.values(u).some(hasUnknown));
  return [...keys].filter((k) => hasUnknown(unknown[k]) || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null)).sort();
}

/**
 * The changes of a plan that are not explained by `allowed` (type -> attributes): every change of a
 * managed resource must alter only allowed attributes of its type, and no data source may be
 * deferred to apply. Returns them as readable lines (empty: the plan is clean).
 */
export function unexplainedChanges(changes: ResourceChange[], allowed: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const rc of changes) {
    const actions = rc.change.actions;
    if (actions.length === 1 && actions[0] === "no-op") continue;
    if (rc.mode === "data") {
      out.push(`${rc.address}: read during apply (${rc.action_reason ?? "?"})`);
      continue;
    }
    const attrs = changedAttributes(rc);
    const extra = attrs.filter((a) => !(allowed[rc.type] ?? []).includes(a));
    if (extra.length > 0 || attrs.length === 0) out.push(`${rc.address}: ${actions.join("/")} of ${attrs.join(", ") || "(the whole resource)"}`);
  }
  return out;
}

/** The changes of a plan that are not no-ops, as `address: actions` lines (for logs). */
export function planSummary(changes: ResourceChange[]): string[] {
  return changes.filter((rc) => !(rc.change.actions.length === 1 && rc.change.actions[0] === "no-op")).map((rc) => `${rc.address}: ${rc.change.actions.join("/")}`);
}

/** A resource a function's environment names, and how to look it up. */
export interface EnvReference {
  variable: string;
  kind: "sns-topic" | "sqs-queue" | "dynamodb-table" | "lambda-function" | "s3-bucket" | "iam-role" | "secret" | "kms-key";
  /** The ARN (tables, buckets, functions given by name get their ARN built; "" for a queue given by URL, whose region the URL may not say). */
  arn: string;
  name: string;
  /** A queue given by its URL. */
  url?: string;
}

const KIND_OF_SERVICE: Record<string, EnvReference["kind"]> = {
  sns: "sns-topic",
  sqs: "sqs-queue",
  dynamodb: "dynamodb-table",
  lambda: "lambda-function",
  s3: "s3-bucket",
  iam: "iam-role",
  secretsmanager: "secret",
  kms: "kms-key",
};

/**
 * The resources a function's environment names: values that are ARNs of the services trailwatch
 * uses or SQS queue URLs, and names given in variables named `*_TABLE` (DynamoDB; `GLUE_*` names a
 * Glue table), `*_FUNCTION`, `*_BUCKET(S)`/`*_BUCKET_NAME` (comma-separated lists too). New variables
 * are covered by their names and values, without a list to maintain.
 */
export function envReferences(env: Record<string, string>, ctx: { partition: string; region: string; account: string }): EnvReference[] {
  const out: EnvReference[] = [];
  const arnOf = (service: string, resource: string) => `arn:${ctx.partition}:${service}:${ctx.region}:${ctx.account}:${resource}`;
  for (const [variable, value] of Object.entries(env)) {
    for (const v of value.split(",").map((x) => x.trim()).filter(Boolean)) {
      const arn = /^arn:[^:]+:([^:]+):[^:]*:[^:]*:(.+)$/.exec(v);
      if (arn) {
        const [, service, resource] = arn;
        const name = resource!.replace(/^(function:|table\/|role\/|secret:|key\/)/, "");
        const kind = KIND_OF_SERVICE[service!];
        if (kind) out.push({ variable, kind, arn: v, name });
        continue;
      }
      const queueUrl = /^https?:\/\/[^/]+\/\d{12}\/([\w-]{1,80}(\.fifo)?)$/.exec(v);
      if (queueUrl) {
        out.push({ variable, kind: "sqs-queue", arn: "", name: queueUrl[1]!, url: v });
        continue;
      }
      if (/^[\w.-]+$/.test(v) && /_TABLE$/.test(variable) && !/^GLUE_/.test(variable)) out.push({ variable, kind: "dynamodb-table", arn: arnOf("dynamodb", `table/${v}`), name: v });
      else if (/^[\w.-]+$/.test(v) && /_FUNCTION$/.test(variable)) out.push({ variable, kind: "lambda-function", arn: arnOf("lambda", `function:${v}`), name: v });
      else if (/^[a-z0-9.-]{3,63}$/.test(v) && /_BUCKETS?(_NAMES?)?$/.test(variable)) out.push({ variable, kind: "s3-bucket", arn: `arn:${ctx.partition}:s3:::${v}`, name: v });
    }
  }
  return out;
}

/** An IAM statement as IAM returns it (Action/Resource as string or list). */
export interface IamStatement {
  Sid?: string;
  Effect: string;
  Action?: string | string[];
  Resource?: string | string[];
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const wildcard = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`);

/**
 * The actions the statements allow on `arn` or on anything inside it (objects of a bucket, indexes
 * of a table): a statement counts when one of its Resource patterns matches the ARN itself or the
 * ARN followed by `/...`.
 */
export function actionsAllowedOn(statements: IamStatement[], arn: string): string[] {
  const actions = new Set<string>();
  for (const s of statements.filter((st) => st.Effect === "Allow")) {
    const covers = list(s.Resource).some((r) => r === "*" ? false : wildcard(r).test(arn) || r.startsWith(`${arn}/`) || wildcard(r).test(`${arn}/x`));
    if (covers) list(s.Action).forEach((a) => actions.add(a));
  }
  return [...actions].sort();
}
