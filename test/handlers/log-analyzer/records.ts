import { gzipSync } from "node:zlib";

/** The account trailwatch runs in, in these tests. */
export const ACCOUNT = "111122223333";
/** trailwatch's own role in these tests. */
export const SELF_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/trailwatch-log-analyzer`;

let seq = 0;

/** A CloudTrail record made by an IAM user (override any field). */
export function record(over: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT, userName: "alice" },
    eventTime: `2026-11-23T10:${String(seq % 60).padStart(2, "0")}:00Z`,
    eventSource: "s3.amazonaws.com",
    eventName: "GetObject",
    awsRegion: "us-east-1",
    sourceIPAddress: "203.0.113.10",
    userAgent: "aws-cli/2.15",
    requestParameters: null,
    responseElements: null,
    requestID: `REQ${seq}`,
    eventID: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    readOnly: false,
    eventType: "AwsApiCall",
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    ...over,
  };
}

/** The identity of a call made by trailwatch's own role (an assumed-role session of it). */
export function selfIdentity(): Record<string, unknown> {
  return {
    type: "AssumedRole",
    principalId: "AROAEXAMPLE:trailwatch-log-analyzer",
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/trailwatch-log-analyzer/trailwatch-log-analyzer`,
    accountId: ACCOUNT,
    sessionContext: { sessionIssuer: { type: "Role", principalId: "AROAEXAMPLE", arn: SELF_ROLE_ARN, accountId: ACCOUNT, userName: "trailwatch-log-analyzer" } },
  };
}

/** AttachUserPolicy of AdministratorAccess to `user`. */
export function attachAdmin(user = "mallory", over: Record<string, unknown> = {}): Record<string, unknown> {
  return record({
    eventSource: "iam.amazonaws.com",
    eventName: "AttachUserPolicy",
    awsRegion: "us-east-1",
    requestParameters: { userName: user, policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" },
    ...over,
  });
}

/** StopLogging on a trail (name or ARN). */
export function stopLogging(name = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/org-trail`, over: Record<string, unknown> = {}): Record<string, unknown> {
  return record({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", requestParameters: { name }, ...over });
}

/** DeleteBucketPublicAccessBlock on `bucket`. */
export function deletePublicAccessBlock(bucket = "customer-data", over: Record<string, unknown> = {}): Record<string, unknown> {
  return record({ eventName: "DeleteBucketPublicAccessBlock", requestParameters: { bucketName: bucket, Host: `${bucket}.s3.amazonaws.com`, publicAccessBlock: "" }, ...over });
}

/** AuthorizeSecurityGroupIngress as EC2 logs it, with `permissions` as [protocol, from, to, cidrs]. */
export function authorizeIngress(
  groupId: string,
  permissions: [string, number | undefined, number | undefined, string[]][],
  opts: { ruleIds?: string[]; over?: Record<string, unknown> } = {},
): Record<string, unknown> {
  const items = permissions.map(([proto, from, to, cidrs]) => ({
    ipProtocol: proto,
    ...(from !== undefined ? { fromPort: from, toPort: to } : {}),
    groups: {},
    ipRanges: { items: cidrs.filter((c) => !c.includes(":")).map((cidrIp) => ({ cidrIp })) },
    ipv6Ranges: { items: cidrs.filter((c) => c.includes(":")).map((cidrIpv6) => ({ cidrIpv6 })) },
    prefixListIds: {},
  }));
  let n = 0;
  const ruleSet = opts.ruleIds
    ? {
        items: permissions.flatMap(([proto, from, to, cidrs]) =>
          cidrs.map((c) => ({
            groupOwnerId: ACCOUNT, groupId, securityGroupRuleId: opts.ruleIds![n++] ?? `sgr-extra${n}`, isEgress: false, ipProtocol: proto,
            fromPort: from ?? -1, toPort: to ?? -1, ...(c.includes(":") ? { cidrIpv6: c } : { cidrIpv4: c }),
          })),
        ),
      }
    : undefined;
  return record({
    eventSource: "ec2.amazonaws.com",
    eventName: "AuthorizeSecurityGroupIngress",
    requestParameters: { groupId, ipPermissions: { items } },
    responseElements: { requestId: "r-1", _return: true, ...(ruleSet ? { securityGroupRuleSet: ruleSet } : {}) },
    ...opts.over,
  });
}

/** A CloudTrail log file as S3 receives it: `{"Records": [...]}`, gzipped. */
export function gzipLog(records: Record<string, unknown>[]): Buffer {
  return gzipSync(Buffer.from(JSON.stringify({ Records: records })));
}

/** The key CloudTrail would give a log file, with an optional name part (e.g. one with spaces). */
export function logKey(name = "abcd1234", region = "us-east-1"): string {
  return `AWSLogs/${ACCOUNT}/CloudTrail/${region}/2026/11/23/${ACCOUNT}_CloudTrail_${region}_20261123T1005Z_${name}.json.gz`;
}

/** Encodes a key the way S3 event notifications do (form style: space as +). */
export function s3EventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
}
