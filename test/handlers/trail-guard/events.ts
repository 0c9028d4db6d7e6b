/** Builders of EventBridge "AWS API Call via CloudTrail" events for the trail-guard tests. */

export const ACCOUNT = "111122223333";
export const TRAIL_REGION = "eu-west-1";
export const TRAIL_ARN = `arn:aws:cloudtrail:${TRAIL_REGION}:${ACCOUNT}:trail/org-trail`;
export const GUARD_ROLE = "trailwatch-trail-guard";

export type Identity = Record<string, unknown>;

export const mallory: Identity = {
  type: "IAMUser",
  principalId: "AIDAEXAMPLEMALLORY01",
  arn: `arn:aws:iam::${ACCOUNT}:user/mallory`,
  accountId: ACCOUNT,
  accessKeyId: "AKIAEXAMPLEMALLORY01",
  userName: "mallory",
};

/** The guard's own Lambda role session (role session name = function name). */
export const guardRole: Identity = {
  type: "AssumedRole",
  principalId: "AROAEXAMPLEGUARD0001:trailwatch-trail-guard",
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${GUARD_ROLE}/trailwatch-trail-guard`,
  accountId: ACCOUNT,
  accessKeyId: "ASIAEXAMPLEGUARD0001",
  sessionContext: {
    sessionIssuer: { type: "Role", principalId: "AROAEXAMPLEGUARD0001", arn: `arn:aws:iam::${ACCOUNT}:role/${GUARD_ROLE}`, accountId: ACCOUNT, userName: GUARD_ROLE },
    attributes: { creationDate: "2026-11-23T10:00:00Z", mfaAuthenticated: "false" },
  },
};

let seq = 0;

/** An API-call event as EventBridge delivers it: the CloudTrail record is `detail`. */
export function apiCall(opts: {
  eventName: string;
  eventSource?: string;
  requestParameters?: Record<string, unknown> | null;
  region?: string;
  identity?: Identity;
  errorCode?: string;
  errorMessage?: string;
  resources?: { ARN: string; type?: string }[];
}) {
  const eventSource = opts.eventSource ?? "cloudtrail.amazonaws.com";
  const region = opts.region ?? TRAIL_REGION;
  seq++;
  return {
    version: "0",
    id: `6f5e4d3c-0000-4000-8000-${String(seq).padStart(12, "0")}`,
    "detail-type": "AWS API Call via CloudTrail",
    source: `aws.${eventSource.split(".")[0]}`,
    account: ACCOUNT,
    time: "2026-11-23T10:05:00Z",
    region,
    resources: [],
    detail: {
      eventVersion: "1.09",
      userIdentity: opts.identity ?? mallory,
      eventTime: "2026-11-23T10:05:00Z",
      eventSource,
      eventName: opts.eventName,
      awsRegion: region,
      sourceIPAddress: "198.51.100.23",
      userAgent: "aws-cli/2.15.0",
      requestParameters: opts.requestParameters === undefined ? { name: "org-trail" } : opts.requestParameters,
      responseElements: null,
      ...(opts.errorCode ? { errorCode: opts.errorCode, errorMessage: opts.errorMessage ?? "denied" } : {}),
      requestID: `req-${seq}`,
      eventID: `00000000-0000-4000-8000-${String(seq).padStart(12, "0")}`,
      readOnly: false,
      ...(opts.resources ? { resources: opts.resources } : {}),
      eventType: "AwsApiCall",
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: "Management",
    },
  };
}
