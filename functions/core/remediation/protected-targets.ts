/**
 * Targets a remediation never changes, as ARN patterns (`*` any run of characters, `?` one;
 * case-insensitive, the whole ARN). A target is named the way CloudTrail names it, without an IAM
 * path: `arn:aws:iam::111122223333:role/ops`, `arn:aws:s3:::bucket`,
 * `arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail`,
 * `arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0123`.
 *
 * The defaults are roles that hold AdministratorAccess by design (landing-zone and stack-set
 * execution roles, the Organizations access role) and break-glass principals: detaching their
 * policy would lock people out of accounts exactly when they are needed. trailwatch's own roles are
 * added at run time (see `RemediationRunner`) and by the deployment (`<prefix>-*`).
 */
export const DEFAULT_PROTECTED_TARGETS: readonly string[] = [
  "arn:*:iam::*:role/AWSControlTowerExecution",
  "arn:*:iam::*:role/OrganizationAccountAccessRole",
  "arn:*:iam::*:role/AWSCloudFormationStackSetExecutionRole",
  "arn:*:iam::*:role/stacksets-exec-*",
  "arn:*:iam::*:role/*break-glass*",
  "arn:*:iam::*:role/*breakglass*",
  "arn:*:iam::*:user/*break-glass*",
  "arn:*:iam::*:user/*breakglass*",
];

/** Longest pattern accepted (an ARN is at most 2048 characters; patterns are short in practice). */
export const ARN_PATTERN_MAX = 512;

/** `arn:` + partition + service + region + account + resource, from ARN characters and the wildcards `*` and `?`. */
export const ARN_PATTERN = /^arn:[a-z0-9*?-]+:[a-z0-9*?-]+:[a-z0-9*?-]*:[0-9*?]*:[A-Za-z0-9+=,.@_/:*?-]+$/;

/** Why `pattern` is not a usable ARN pattern, or undefined when it is. */
export function arnPatternProblem(pattern: string): string | undefined {
  if (pattern.length > ARN_PATTERN_MAX) return `is longer than ${ARN_PATTERN_MAX} characters`;
  if (!ARN_PATTERN.test(pattern)) {
    return "is not an ARN pattern: expected arn:<partition>:<service>:<region>:<account>:<resource> with * and ? as wildcards, e.g. arn:*:iam::*:role/*break-glass*";
  }
  return undefined;
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
    compiled.set(pattern, (re = new RegExp(`^${body}$`, "i")));
  }
  return re;
}

/** The first pattern of `patterns` that `arn` matches, or undefined. */
export function protectedBy(patterns: readonly string[], arn: string): string | undefined {
  return patterns.find((p) => compile(p).test(arn));
}

/** `arn:*:iam::<account>:role/<name>` for a role or STS assumed-role ARN (path dropped), or undefined for anything else. */
export function rolePatternOf(arn: string): string | undefined {
  const m = /^arn:[^:]+:(?:iam|sts)::(\d{12}|\*):(role|assumed-role)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const parts = m[3]!.split("/");
  const name = m[2] === "role" ? parts[parts.length - 1]! : parts[0]!;
  return `arn:*:iam::${m[1]}:role/${name}`;
}
