import { guardPatterns, type GuardPattern } from "../../../modules/trail-guard";
import { apiCallEvent, matchesPattern } from "./event-pattern";

const BUCKET = "org-cloudtrail-logs";
const KEY_ID = "1234abcd-12ab-34cd-56ef-1234567890ab";
const KEY_ARN = `arn:aws:kms:eu-west-1:111122223333:key/${KEY_ID}`;
const TRAIL_ARN = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail";

const all = guardPatterns({ trailBucketName: BUCKET, trailKmsKeyArn: KEY_ARN });
const byId = (id: GuardPattern["id"]) => all.find((p) => p.id === id)!;
/** Which of the patterns an event matches. */
const matching = (event: unknown) => all.filter((p) => matchesPattern(p.pattern, event)).map((p) => p.id);

describe("guardPatterns", () => {
  it("watches exactly the calls that stop, delete or change a trail, and not StartLogging", () => {
    // Act
    const trail = byId("trail").pattern as any;
    // Assess
    expect(trail.source).toEqual(["aws.cloudtrail"]);
    expect(trail["detail-type"]).toEqual(["AWS API Call via CloudTrail"]);
    expect(trail.detail.eventSource).toEqual(["cloudtrail.amazonaws.com"]);
    expect([...trail.detail.eventName].sort()).toEqual(
      ["AddTags", "CreateTrail", "DeleteTrail", "PutEventSelectors", "PutInsightSelectors", "RemoveTags", "StopLogging", "UpdateTrail"],
    );
  });

  it("matches StopLogging on a trail but not the trail guard's own StartLogging", () => {
    // Prepare
    const stop = apiCallEvent({ eventSource: "cloudtrail.amazonaws.com", eventName: "StopLogging", requestParameters: { name: TRAIL_ARN } });
    const start = apiCallEvent({ eventSource: "cloudtrail.amazonaws.com", eventName: "StartLogging", requestParameters: { name: TRAIL_ARN } });
    // Act / Assess
    expect(matching(stop)).toEqual(["trail"]);
    expect(matching(start)).toEqual([]);
  });

  it("watches policy, ACL, lifecycle, versioning and deletion of the trail bucket only", () => {
    // Prepare
    const onTrailBucket = ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketLifecycle", "PutBucketAcl", "PutBucketVersioning", "DeleteBucket"].map((eventName) =>
      apiCallEvent({ eventSource: "s3.amazonaws.com", eventName, requestParameters: { bucketName: BUCKET, Host: `${BUCKET}.s3.eu-west-1.amazonaws.com` } }),
    );
    const otherBucket = apiCallEvent({ eventSource: "s3.amazonaws.com", eventName: "PutBucketPolicy", requestParameters: { bucketName: "website-assets" } });
    const harmless = apiCallEvent({ eventSource: "s3.amazonaws.com", eventName: "PutBucketTagging", requestParameters: { bucketName: BUCKET } });
    // Act / Assess
    for (const e of onTrailBucket) expect(matching(e)).toEqual(["bucket"]);
    expect(matching(otherBucket)).toEqual([]);
    expect(matching(harmless)).toEqual([]);
    expect([...(byId("bucket").pattern as any).detail.eventName].sort()).toEqual([
      "DeleteBucket",
      "DeleteBucketLifecycle",
      "DeleteBucketPolicy",
      "PutBucketAcl",
      "PutBucketLifecycle",
      "PutBucketLifecycleConfiguration",
      "PutBucketPolicy",
      "PutBucketVersioning",
    ]);
  });

  it("watches the trail key whether the caller named it by id or by ARN", () => {
    // Prepare
    const byKeyId = apiCallEvent({ eventSource: "kms.amazonaws.com", eventName: "ScheduleKeyDeletion", requestParameters: { keyId: KEY_ID, pendingWindowInDays: 7 } });
    const byKeyArn = apiCallEvent({ eventSource: "kms.amazonaws.com", eventName: "DisableKey", requestParameters: { keyId: KEY_ARN } });
    const newPolicy = apiCallEvent({ eventSource: "kms.amazonaws.com", eventName: "PutKeyPolicy", requestParameters: { keyId: KEY_ID, policyName: "default" } });
    const otherKey = apiCallEvent({ eventSource: "kms.amazonaws.com", eventName: "DisableKey", requestParameters: { keyId: "0000abcd-12ab-34cd-56ef-1234567890ab" } });
    const rotation = apiCallEvent({ eventSource: "kms.amazonaws.com", eventName: "EnableKeyRotation", requestParameters: { keyId: KEY_ID } });
    // Act / Assess
    expect(matching(byKeyId)).toEqual(["key"]);
    expect(matching(byKeyArn)).toEqual(["key"]);
    expect(matching(newPolicy)).toEqual(["key"]);
    expect([...(byId("key").pattern as any).detail.eventName].sort()).toEqual(["DisableKey", "PutKeyPolicy", "ScheduleKeyDeletion"]);
    expect(matching(otherKey)).toEqual([]);
    expect(matching(rotation)).toEqual([]);
  });

  it("watches an account leaving the Organization, including a denied attempt", () => {
    // Prepare
    const leave = apiCallEvent(
      { eventSource: "organizations.amazonaws.com", eventName: "LeaveOrganization", errorCode: "AccessDenied", requestParameters: null },
      "us-east-1",
    );
    // Act / Assess
    expect(matching(leave)).toEqual(["organization"]);
  });

  it("has no bucket or key rule when neither is configured", () => {
    // Act
    const ids = guardPatterns({}).map((p) => p.id);
    // Assess
    expect(ids).toEqual(["trail", "organization"]);
  });
});
