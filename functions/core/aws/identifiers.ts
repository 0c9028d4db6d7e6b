import { PARTITION_PATTERN } from "./partition";

/**
 * The shapes of AWS identifiers trailwatch checks: defined once here (pure, no zod) so the deployment
 * config (infra, modules), the Lambda environment checks and the CLI accept and refuse the same
 * values. Each layer wraps them in its own schema and message.
 */

/** A 12-digit account id. */
export const ACCOUNT_ID = /^\d{12}$/;
/** A region name, including GovCloud and ISO regions (`eu-west-1`, `us-gov-west-1`, `us-isob-east-1`). */
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
/** An Organization id as AWS issues them. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** An organizational unit id (`ou-<root>-<suffix>`). */
export const OU_ID = /^ou-[0-9a-z]{4,32}-[0-9a-z]{8,32}$/;
/** The organization root (`r-...`) or an organizational unit: what an OU setting or a stack set may name. */
export const ROOT_OR_OU_ID = /^(r-[0-9a-z]{4,32}|ou-[0-9a-z]{4,32}-[0-9a-z]{8,32})$/;
/** An S3 bucket name (3 to 63 lowercase letters, digits, dots and hyphens). */
export const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
/** An IAM role name without a path. */
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** What STS accepts as an external id. */
export const EXTERNAL_ID = /^[\w+=,.@:/-]{2,1224}$/;

/** `arn:<partition>:kms:<region>:<account>:key/<id>`; groups: partition, region, account, key id. */
export const KMS_KEY_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):kms:([a-z0-9-]+):(\\d{12}):key/([A-Za-z0-9-]+)$`);
/** `arn:<partition>:cloudtrail:<region>:<account>:trail/<name>`; groups: partition, region, account, name. */
export const TRAIL_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):cloudtrail:([a-z0-9-]+):(\\d{12}):trail/([A-Za-z0-9._-]{3,128})$`);
/** `arn:<partition>:sns:<region>:<account>:<topic>`; groups: partition, region, account, name. */
export const SNS_TOPIC_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):sns:([a-z0-9-]+):(\\d{12}):([A-Za-z0-9_-]{1,256})$`);
/** `arn:<partition>:iam::<account>:role/[<path>/]<name>`; groups: partition, account, path and name. */
export const ROLE_ARN = new RegExp(`^arn:(${PARTITION_PATTERN}):iam::(\\d{12}):role/([\\w+=,.@/-]{1,512})$`);

/** The parts of a regional ARN: partition, region, account and the resource's name (key id, trail or topic name). */
export interface ArnParts {
  partition: string;
  region: string;
  account: string;
  name: string;
}

/** Splits an ARN matching `KMS_KEY_ARN`, `TRAIL_ARN` or `SNS_TOPIC_ARN`; undefined when it does not match. */
export function splitArn(pattern: RegExp, arn: string): ArnParts | undefined {
  const m = pattern.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]! } : undefined;
}

/** Splits an ARN as `splitArn` does, or throws naming what was expected (for values a schema checked already). */
export function requireArn(pattern: RegExp, what: string, arn: string): ArnParts {
  const parts = splitArn(pattern, arn);
  if (!parts) throw new Error(`not ${what}: ${arn}`);
  return parts;
}

/** Throws a RangeError naming `what` unless `value` matches `re`. */
export function requireMatch(what: string, value: string, re: RegExp): string {
  if (typeof value !== "string" || !re.test(value)) throw new RangeError(`${what} is not valid (got ${JSON.stringify(value)}; expected ${re.source})`);
  return value;
}
