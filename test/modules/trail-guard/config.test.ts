import { trailGuardConfigSchema, trailGuardSettingsSchema } from "../../../modules/trail-guard";

const TRAIL = "arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail";
const issues = (input: unknown) => {
  const r = trailGuardConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};

describe("trailGuardConfigSchema", () => {
  it("fills safe defaults: remediation off, a heartbeat every 15 minutes, deliveries older than an hour alert", () => {
    // Act
    const cfg = trailGuardSettingsSchema.parse({ enabled: true, regions: ["eu-west-1"], protectedTrails: [TRAIL] });
    // Assess
    expect(cfg.remediation).toEqual({ "cloudtrail.logging-stopped": "off" });
    expect(cfg.heartbeat).toEqual({ schedule: "rate(15 minutes)", maxDeliveryAgeMinutes: 60 });
    expect(cfg.trailBucketName).toBeUndefined();
  });

  it("accepts a disabled section without any other field", () => {
    // Act / Assess
    expect(trailGuardConfigSchema.parse({ enabled: false })).toEqual({ enabled: false });
  });

  it("rejects a protected trail whose home region is not watched, naming the trail and the region", () => {
    // Act
    const found = issues({ enabled: true, regions: ["us-east-1"], protectedTrails: [TRAIL] });
    // Assess
    expect(found).toEqual([
      `protectedTrails.0: trail ${TRAIL} lives in eu-west-1, which is not in regions; calls to stop or change it are recorded there and would be missed`,
    ]);
  });

  it("rejects a trail key in a region that is not watched", () => {
    // Act
    const found = issues({
      enabled: true,
      regions: ["eu-west-1"],
      protectedTrails: [TRAIL],
      trailKmsKeyArn: "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    });
    // Assess
    expect(found).toEqual([expect.stringMatching(/^trailKmsKeyArn: the key lives in us-east-1, which is not in regions/)]);
  });

  it("says what is wrong with malformed values and where", () => {
    // Act
    const found = issues({
      enabled: true,
      regions: ["eu-west-1", "eu-west-1", "Europe"],
      protectedTrails: ["org-trail"],
      remediation: { "cloudtrail.logging-stopped": "fix" },
      heartbeat: { schedule: "every 15 minutes" },
      trailBucketName: "Bad_Bucket",
    });
    // Assess
    expect(found).toEqual(
      expect.arrayContaining([
        "regions.2: expected an AWS region name such as eu-west-1",
        "protectedTrails.0: expected a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>",
        expect.stringMatching(/^remediation\.cloudtrail\.logging-stopped: /),
        'heartbeat.schedule: expected an EventBridge schedule such as "rate(15 minutes)" or "cron(0/15 * * * ? *)"',
        "trailBucketName: expected an S3 bucket name",
      ]),
    );
  });

  it("reports a malformed trail ARN as such, without tripping over it in the region check", () => {
    // Act
    const found = issues({ enabled: true, regions: ["eu-west-1"], protectedTrails: ["arn:aws:cloudtrail:eu-west-1:111122223333:trail/x", TRAIL] });
    // Assess
    expect(found).toEqual(["protectedTrails.0: expected a trail ARN arn:aws:cloudtrail:<region>:<account>:trail/<name>"]);
  });

  it("rejects repeated regions and unknown fields", () => {
    // Act / Assess
    expect(issues({ enabled: true, regions: ["eu-west-1", "eu-west-1"], protectedTrails: [TRAIL] })).toEqual(["regions: regions must not repeat"]);
    expect(issues({ enabled: true, regions: ["eu-west-1"], protectedTrails: [TRAIL], remediate: true })).toEqual([
      expect.stringMatching(/Unrecognized key.*"remediate"/),
    ]);
  });

  it("requires enabled to be stated", () => {
    // Act / Assess
    expect(issues({ regions: ["eu-west-1"], protectedTrails: [TRAIL] })).toEqual([expect.stringMatching(/^enabled: /)]);
  });
});
