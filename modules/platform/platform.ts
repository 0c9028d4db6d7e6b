import { Construct, type IConstruct } from "constructs";
import { TerraformStack, type TerraformProvider } from "cdktf";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { ACCOUNT_ID } from "../../functions/core/aws/identifiers";
import { policyDocument, type ResourcePolicyStatementSpec } from "./policy-document";

export interface PlatformProps {
  /** Prefix of every deployed name, e.g. "trailwatch" gives "trailwatch-log-analyzer". Lowercase letters, digits, hyphens. */
  namePrefix: string;
  /** The AWS account trailwatch is deployed into (12 digits); ARNs are built from it at synth time. */
  account: string;
  /** Home region: where the platform key and most resources live. */
  region: string;
  /** AWS partition, default "aws". */
  partition?: string;
  /** Retention of every CloudWatch log group (days, one of the values CloudWatch accepts). */
  logRetentionDays: number;
  /** Tags for every taggable resource (applied as provider default_tags by the tagging aspect). */
  tags?: Record<string, string>;
  /**
   * Deletion protection of resources that hold state not recomputable from the logs (the anomaly
   * baseline table); default true. With it on, `terraform destroy` stops at those resources.
   */
  deletionProtection?: boolean;
}

const PLATFORMS = new WeakMap<TerraformStack, Platform>();

/**
 * Platform-wide settings and the customer managed KMS key every encrypted resource uses. One per
 * stack; constructs reach it with `Platform.of(this)` instead of threading props through every layer.
 *
 * KMS keys are regional: resources created through an aliased provider for another region get a
 * key of that region from `keyFor(provider)` (created on first use, same key policy).
 */
export class Platform extends Construct {
  /** The Platform of the stack `scope` belongs to; throws with a fix when there is none. */
  static of(scope: IConstruct): Platform {
    const stack = TerraformStack.of(scope);
    const p = PLATFORMS.get(stack);
    if (!p) {
      throw new Error(
        `No Platform in stack "${stack.node.id}" (needed by ${scope.node.path}): create \`new Platform(stack, "platform", {...})\` before other trailwatch constructs.`,
      );
    }
    return p;
  }

  readonly namePrefix: string;
  readonly account: string;
  readonly region: string;
  readonly partition: string;
  readonly logRetentionDays: number;
  readonly tags: Record<string, string>;
  /** Whether stateful resources that cannot be recomputed are protected from deletion (see PlatformProps). */
  readonly deletionProtection: boolean;
  /** Customer managed key of the home region (rotation on). */
  readonly kmsKey: KmsKey;
  private readonly regionalKeys = new Map<string, KmsKey>();

  constructor(scope: Construct, id: string, props: PlatformProps) {
    super(scope, id);
    if (!/^[a-z][a-z0-9-]{0,22}[a-z0-9]$/.test(props.namePrefix)) {
      throw new Error(`Platform namePrefix "${props.namePrefix}" must be 2-24 lowercase letters, digits or hyphens, starting with a letter.`);
    }
    if (!ACCOUNT_ID.test(props.account)) throw new Error(`Platform account "${props.account}" must be a 12-digit AWS account id.`);
    const stack = TerraformStack.of(this);
    if (PLATFORMS.has(stack)) throw new Error(`Stack "${stack.node.id}" already has a Platform; create exactly one.`);
    PLATFORMS.set(stack, this);

    this.namePrefix = props.namePrefix;
    this.account = props.account;
    this.region = props.region;
    this.partition = props.partition ?? "aws";
    this.logRetentionDays = props.logRetentionDays;
    this.tags = { ...(props.tags ?? {}) };
    this.deletionProtection = props.deletionProtection ?? true;
    this.kmsKey = this.createKey(this, "key", props.region);
  }

  /** `arn:<partition>:<service>:<region>:<account>:<resource>`; pass region "" for global services (IAM). */
  arn(service: string, resource: string, region: string = this.region): string {
    return `arn:${this.partition}:${service}:${region}:${this.account}:${resource}`;
  }

  /** A deployed name: `${namePrefix}-${name}`. */
  name(name: string): string {
    return `${this.namePrefix}-${name}`;
  }

  /** The region a resource created with `provider` lives in (home region when none or not an AwsProvider). */
  regionOf(provider?: TerraformProvider): string {
    if (provider instanceof AwsProvider && typeof provider.region === "string" && provider.region) return provider.region;
    return this.region;
  }

  /** The platform key usable by resources created with `provider` (KMS keys cannot cross regions). */
  keyFor(provider?: TerraformProvider): KmsKey {
    const region = this.regionOf(provider);
    if (region === this.region) return this.kmsKey;
    let key = this.regionalKeys.get(region);
    if (!key) {
      const scope = new Construct(this, `region-${region}`);
      key = this.createKey(scope, "key", region, provider);
      this.regionalKeys.set(region, key);
    }
    return key;
  }

  private createKey(scope: Construct, id: string, region: string, provider?: TerraformProvider): KmsKey {
    const suffix = region === this.region ? "" : `-${region}`;
    const sourceAccount = [{ test: "StringEquals", variable: "aws:SourceAccount", values: [this.account] }];
    const useKey = ["kms:GenerateDataKey", "kms:Decrypt"];
    const statements: ResourcePolicyStatementSpec[] = [
      {
        // Without it nobody (not even IAM admins of the account) can manage the key: the AWS default
        // key policy statement that delegates access control to IAM policies of this account.
        sid: "AccountAdministersKeyThroughIam",
        principals: [{ type: "AWS", identifiers: [`arn:${this.partition}:iam::${this.account}:root`] }],
        actions: ["kms:*"],
        resources: ["*"],
      },
      {
        sid: "CloudWatchLogsEncryptsLogGroupsOfThisAccount",
        principals: [{ type: "Service", identifiers: [`logs.${region}.amazonaws.com`] }],
        actions: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"],
        resources: ["*"],
        conditions: [{ test: "ArnLike", variable: "kms:EncryptionContext:aws:logs:arn", values: [`arn:${this.partition}:logs:${region}:${this.account}:log-group:*`] }],
      },
      {
        // SNS delivering to encrypted SQS, CloudWatch alarms and EventBridge publishing to the
        // encrypted topic, S3 notifications to encrypted queues: each service needs the data key.
        sid: "AwsServicesOfThisAccountDeliverToEncryptedTopicsAndQueues",
        principals: [{ type: "Service", identifiers: ["sns.amazonaws.com", "cloudwatch.amazonaws.com", "events.amazonaws.com", "s3.amazonaws.com"] }],
        actions: useKey,
        resources: ["*"],
        conditions: sourceAccount,
      },
    ];
    const doc = policyDocument(scope, "key-policy", statements, { provider });
    const key = new KmsKey(scope, id, {
      provider,
      description: `trailwatch ${this.namePrefix}: encrypts queues, topics, tables, log groups${suffix ? ` in ${region}` : ""}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: doc.json,
    });
    new KmsAlias(scope, `${id}-alias`, { provider, name: `alias/${this.namePrefix}${suffix}`, targetKeyId: key.keyId });
    return key;
  }
}
