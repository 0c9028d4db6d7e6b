import { logAnalyzerConfigSchema, logAnalyzerSettingsSchema, logKeyPrefix } from "../../../modules/log-analyzer";

const issues = (input: unknown) => {
  const r = logAnalyzerConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};
const BASE = { enabled: true, bucketName: "org-cloudtrail-logs", notification: { source: "cloudtrail-sns", topicArn: "arn:aws:sns:eu-west-1:111122223333:org-trail-delivery" } } as const;

describe("logAnalyzerConfigSchema", () => {
  it("defaults to an account trail, no remediation, batches of 10 and idempotency beyond the DLQ's retention", () => {
    // Act
    const cfg = logAnalyzerSettingsSchema.parse(BASE);
    // Assess
    expect(cfg).toMatchObject({
      keyPrefix: "",
      layout: { type: "account" },
      notification: BASE.notification,
      remediation: {},
      batchSize: 10,
      maxBatchingWindowSeconds: 5,
      idempotencyTtlDays: 15,
    });
    expect(logKeyPrefix(cfg)).toBe("AWSLogs/");
  });

  it("has no default notification source: a missing choice is an error that lists each choice and what it does to the trail bucket", () => {
    // Prepare
    const { notification: _, ...withoutNotification } = BASE;
    // Act
    const missing = issues(withoutNotification);
    const unknown = issues({ ...BASE, notification: { source: "sqs" } });
    const s3WithoutChoice = issues({ ...BASE, notification: { source: "s3" } });
    // Assess
    expect(missing).toEqual([expect.stringMatching(/^notification: required: choose how new log files are announced/)]);
    for (const choice of ['"source": "cloudtrail-sns"', '"source": "eventbridge"', '"manageBucketNotification": false', '"manageBucketNotification": true']) {
      expect(missing[0]).toContain(choice);
    }
    expect(missing[0]).toMatch(/replaced at apply and removed at destroy/);
    expect(unknown).toEqual([expect.stringMatching(/^notification\.source: unknown source "sqs": choose how/)]);
    expect(s3WithoutChoice).toEqual([expect.stringMatching(/^notification\.manageBucketNotification: required: true writes the trail bucket's whole notification configuration/)]);
  });

  it("accepts each notification choice", () => {
    // Act / Assess
    for (const notification of [{ source: "eventbridge" }, { source: "s3", manageBucketNotification: false, bucketOwnerAccountId: "999988887777" }, { source: "s3", manageBucketNotification: true }]) {
      expect(issues({ ...BASE, notification })).toEqual([]);
    }
  });

  it("normalises the trail's key prefix and knows the organization layout", () => {
    // Act
    const cfg = logAnalyzerSettingsSchema.parse({ ...BASE, keyPrefix: "trails/org", layout: { type: "organization", organizationId: "o-a1b2c3d4e5" } });
    // Assess
    expect(cfg.keyPrefix).toBe("trails/org/");
    expect(logKeyPrefix(cfg)).toBe("trails/org/AWSLogs/o-a1b2c3d4e5/");
  });

  it("accepts a disabled section without any other field", () => {
    // Act / Assess
    expect(logAnalyzerConfigSchema.parse({ enabled: false })).toEqual({ enabled: false });
  });

  it("rejects remediation for unknown rules and for rules that have none, listing the valid ones", () => {
    // Act
    const found = issues({ ...BASE, remediation: { "cloudtrail.logging-stoped": "apply", "ssm.plaintext-secret-parameter": "dry-run" } });
    // Assess
    expect(found).toEqual([
      expect.stringMatching(/^remediation\.cloudtrail\.logging-stoped: unknown rule id "cloudtrail\.logging-stoped" \(known: .*cloudtrail\.logging-stopped/),
      expect.stringMatching(/^remediation\.ssm\.plaintext-secret-parameter: rule "ssm\.plaintext-secret-parameter" has no remediation \(rules with one: .*cloudtrail\.logging-stopped/),
    ]);
  });

  it("takes no rule settings of its own: they are the top level's \"rules\" (checked with the rules, infra/config/rules.ts)", () => {
    expect(issues({ ...BASE, ruleSettings: { "ssm.plaintext-secret-parameter": { namePatterns: ["secret"] } } })).toEqual([expect.stringContaining('Unrecognized key: "ruleSettings"')]);
  });

  it("requires a batching window when batches are larger than 10, as SQS event sources do", () => {
    // Act / Assess
    expect(issues({ ...BASE, batchSize: 100, maxBatchingWindowSeconds: 0 })).toEqual([
      "maxBatchingWindowSeconds: must be at least 1 when batchSize is above 10 (an SQS event source rule)",
    ]);
    expect(issues({ ...BASE, batchSize: 100, maxBatchingWindowSeconds: 1 })).toEqual([]);
  });

  it("says what is wrong with malformed values and where", () => {
    // Act
    const found = issues({
      ...BASE,
      bucketName: "s3://bucket",
      keyPrefix: "/logs",
      layout: { type: "organization", organizationId: "123" },
      notification: { source: "cloudtrail-sns", topicArn: "cloudtrail-topic" },
      remediation: "apply",
      idempotencyTtlDays: 7,
    });
    // Assess
    expect(found).toEqual(
      expect.arrayContaining([
        "bucketName: expected an S3 bucket name",
        "keyPrefix: must not start with '/'",
        "layout.organizationId: expected an Organization id such as o-a1b2c3d4e5",
        "notification.topicArn: expected an SNS topic ARN arn:aws:sns:<region>:<account>:<name>",
        expect.stringMatching(/^remediation: /),
        "idempotencyTtlDays: must be at least 15 days: longer than the DLQ keeps a notification (14 days)",
      ]),
    );
  });

  describe("remediationMemberRole", () => {
    const ORG_BASE = { ...BASE, layout: { type: "organization", organizationId: "o-a1b2c3d4e5" }, managementAccountId: "999988887777" };
    const role = { name: "trailwatch-remediation", organizationalUnitIds: ["r-ab12"] };

    it("accepts a role name, an optional external id and the root or OUs to deploy it to", () => {
      // Act
      const cfg = logAnalyzerSettingsSchema.parse({ ...ORG_BASE, remediationMemberRole: { ...role, externalId: "acme-trailwatch", organizationalUnitIds: ["ou-ab12-11111111"] } });
      // Assess
      expect(cfg.remediationMemberRole).toEqual({ name: "trailwatch-remediation", externalId: "acme-trailwatch", organizationalUnitIds: ["ou-ab12-11111111"] });
      expect(issues({ ...ORG_BASE, remediationMemberRole: role })).toEqual([]);
    });

    it("says what is wrong with the role's fields", () => {
      // Act
      const found = issues({ ...ORG_BASE, remediationMemberRole: { name: "role/trailwatch", externalId: "x", organizationalUnitIds: ["o-a1b2c3d4e5"] } });
      const none = issues({ ...ORG_BASE, remediationMemberRole: { name: "trailwatch-remediation", organizationalUnitIds: [] } });
      // Assess
      expect(found).toEqual([
        "remediationMemberRole.name: expected an IAM role name without a path (1-64 letters, digits or +=,.@_-), e.g. trailwatch-remediation",
        "remediationMemberRole.externalId: expected 2-1224 letters, digits or +=,.@:/_- (what STS accepts as an external id)",
        "remediationMemberRole.organizationalUnitIds.0: expected the organization root id (r-xxxx) or an OU id (ou-xxxx-xxxxxxxx)",
      ]);
      expect(none).toEqual(["remediationMemberRole.organizationalUnitIds: list the organization root (r-xxxx) or the OUs (ou-xxxx-xxxxxxxx) whose accounts get the member role"]);
    });

    it("needs the Organization's id and management account, and one Organization", () => {
      // Act
      const alone = issues({ ...BASE, remediationMemberRole: role });
      const fromInherited = issues({ ...BASE, organizationId: "o-a1b2c3d4e5", managementAccountId: "999988887777", remediationMemberRole: role });
      const twoOrgs = issues({ ...ORG_BASE, organizationId: "o-zzzzzzzzzz", remediationMemberRole: role });
      // Assess
      expect(alone).toEqual([expect.stringMatching(/^remediationMemberRole: needs the Organization's organizationId and managementAccountId \(set the top-level organization section/)]);
      expect(fromInherited).toEqual([]);
      expect(twoOrgs).toEqual(["organizationId: is o-zzzzzzzzzz but layout.organizationId is o-a1b2c3d4e5; they must name the same Organization"]);
    });
  });
});
