import { Construct } from "constructs";
import { AssetType, TerraformAsset, type TerraformProvider } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Platform } from "../platform/platform";
import { policyDocument, type PolicyStatementSpec } from "../platform/policy-document";
import { bundleHandler, type HandlerBundle } from "./bundle";

export interface NodeFunctionProps {
  /** Handler file relative to the repo root, exporting `handler`, e.g. "functions/handlers/log-analyzer.ts". */
  entry: string;
  /** Short logical name, e.g. "log-analyzer"; the deployed name is `${namePrefix}-${name}`. */
  name: string;
  description: string;
  environment?: Record<string, string>;
  /** Default 60. */
  timeoutSeconds?: number;
  /** Default 512. */
  memoryMb?: number;
  /** Explicit, resource-scoped; logs + DLQ permissions are added by the construct. */
  statements: PolicyStatementSpec[];
  /** Default true: on-failure destination = an SQS DLQ the construct creates, retries bounded. */
  invokedAsynchronously?: boolean;
  reservedConcurrency?: number;
  /** X-Ray active tracing (adds the two X-Ray write actions, which support no resource scoping). Default false. */
  tracing?: boolean;
  /** Ship an external source map and set NODE_OPTIONS=--enable-source-maps. Default false (smaller, faster cold start). */
  sourcemap?: boolean;
  /** Async only: drop an event to the DLQ after this age (60..21600 s). Default 3600. */
  maximumEventAgeSeconds?: number;
  /** Log group retention; default the platform's. */
  logRetentionDays?: number;
  /** Provider for another region (aliased AwsProvider); default the stack's default provider. */
  provider?: TerraformProvider;
}

/** Retries of a failed asynchronous invocation before it goes to the DLQ (Lambda allows 0..2). */
export const ASYNC_MAX_RETRIES = 2;

/**
 * A Node.js 22 (arm64) Lambda function built from one TypeScript handler file: esbuild bundle as a
 * Terraform asset, a role whose policy is only the given statements plus its own log group and DLQ,
 * a KMS-encrypted log group with retention, and for asynchronous invocation an encrypted DLQ as
 * on-failure destination with bounded retries and event age.
 */
export class NodeFunction extends Construct {
  readonly function: LambdaFunction;
  readonly role: IamRole;
  readonly logGroup: CloudwatchLogGroup;
  /** Present when invokedAsynchronously. */
  readonly dlq?: SqsQueue;
  /** `${namePrefix}-${name}`. */
  readonly functionName: string;
  /** The bundle deployed (sizes, hash). */
  readonly bundle: HandlerBundle;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    const platform = Platform.of(this);
    const provider = props.provider;
    const region = platform.regionOf(provider);
    const key = platform.keyFor(provider);
    const name = platform.name(props.name);
    if (!/^[a-zA-Z0-9-_]{1,64}$/.test(name)) {
      throw new Error(`NodeFunction name "${name}" must be 1-64 letters, digits, hyphens or underscores (shorten name "${props.name}" or the namePrefix).`);
    }
    props.statements.forEach((s, i) => {
      if (s.actions.length === 0 || s.resources.length === 0) {
        throw new Error(`NodeFunction "${props.name}": statement ${s.sid ?? i} needs at least one action and one resource.`);
      }
    });
    const async = props.invokedAsynchronously ?? true;
    this.functionName = name;

    this.bundle = bundleHandler(props.entry, { sourcemap: props.sourcemap });
    const asset = new TerraformAsset(this, "code", { path: this.bundle.zipPath, type: AssetType.FILE });

    const logGroupName = `/aws/lambda/${name}`;
    this.logGroup = new CloudwatchLogGroup(this, "logs", {
      provider,
      name: logGroupName,
      retentionInDays: props.logRetentionDays ?? platform.logRetentionDays,
      kmsKeyId: key.arn,
    });

    if (async) {
      this.dlq = new SqsQueue(this, "dlq", {
        provider,
        name: `${name}-dlq`,
        kmsMasterKeyId: key.arn,
        kmsDataKeyReusePeriodSeconds: 300,
        messageRetentionSeconds: 14 * 24 * 3600,
      });
    }

    // Roles are global: a function of the same name in a second region needs its own role name.
    const roleName = region === platform.region ? name : `${name}-${region}`;
    this.role = new IamRole(this, "role", {
      provider,
      name: roleName.slice(0, 64),
      description: `Execution role of Lambda ${name}`,
      assumeRolePolicy: policyDocument(
        this,
        "trust",
        [
          {
            principals: [{ type: "Service", identifiers: ["lambda.amazonaws.com"] }],
            actions: ["sts:AssumeRole"],
            resources: [],
            conditions: [{ test: "StringEquals", variable: "aws:SourceAccount", values: [platform.account] }],
          },
        ],
        { provider },
      ).json,
    });

    const own: PolicyStatementSpec[] = [
      {
        sid: "WriteOwnLogGroup",
        actions: ["logs:CreateLogStream", "logs:PutLogEvents"],
        resources: [`${platform.arn("logs", `log-group:${logGroupName}`, region)}:*`],
      },
    ];
    if (this.dlq) {
      own.push(
        { sid: "SendFailedEventsToOwnDlq", actions: ["sqs:SendMessage"], resources: [this.dlq.arn] },
        { sid: "EncryptForOwnDlq", actions: ["kms:GenerateDataKey", "kms:Decrypt"], resources: [key.arn] },
      );
    }
    if (props.tracing) {
      // X-Ray's write actions support no resource-level permissions (allow-listed in the infra tests).
      own.push({ sid: "WriteXrayTraces", actions: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"], resources: ["*"] });
    }
    const rolePolicy = new IamRolePolicy(this, "policy", {
      provider,
      name: `${name}-least-privilege`.slice(0, 128),
      role: this.role.id,
      policy: policyDocument(this, "permissions", [...own, ...props.statements], { provider }).json,
    });

    const environment: Record<string, string> = {
      POWERTOOLS_SERVICE_NAME: props.name,
      POWERTOOLS_METRICS_NAMESPACE: "trailwatch",
      ...(props.sourcemap ? { NODE_OPTIONS: "--enable-source-maps" } : {}),
      ...(props.environment ?? {}),
      // Its own role, so a handler recognises its own calls in CloudTrail (no remediation loops)
      // without asking STS (and without carrying the STS client).
      FUNCTION_ROLE_ARN: this.role.arn,
    };

    this.function = new LambdaFunction(this, "function", {
      provider,
      functionName: name,
      description: props.description.slice(0, 256),
      role: this.role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: this.bundle.sha256Base64,
      timeout: props.timeoutSeconds ?? 60,
      memorySize: props.memoryMb ?? 512,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: environment },
      loggingConfig: { logFormat: "JSON", logGroup: this.logGroup.name, applicationLogLevel: "INFO", systemLogLevel: "WARN" },
      tracingConfig: props.tracing ? { mode: "Active" } : undefined,
      // The log group must exist first (or Lambda creates an unencrypted one that never expires),
      // and the permissions must be in place before the first invocation.
      dependsOn: [this.logGroup, rolePolicy],
    });

    if (this.dlq) {
      new LambdaFunctionEventInvokeConfig(this, "async", {
        provider,
        functionName: this.function.functionName,
        maximumRetryAttempts: ASYNC_MAX_RETRIES,
        maximumEventAgeInSeconds: props.maximumEventAgeSeconds ?? 3600,
        destinationConfig: { onFailure: { destination: this.dlq.arn } },
        // Lambda checks at creation that the role may send to the destination.
        dependsOn: [rolePolicy],
      });
    }
  }
}
