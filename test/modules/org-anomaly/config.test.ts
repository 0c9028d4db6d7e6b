import { orgAnomalyConfigSchema, orgAnomalySettingsSchema } from "../../../modules/org-anomaly";

const issues = (input: unknown) => {
  const r = orgAnomalyConfigSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
};
const BASE = {
  enabled: true,
  bucketName: "org-cloudtrail-logs",
  organizationId: "o-a1b2c3d4e5",
  managementAccountId: "999988887777",
  units: [{ name: "payments", organizationalUnits: ["ou-ab12-11111111"] }],
} as const;

describe("orgAnomalyConfigSchema", () => {
  it("defaults to an hourly unit schedule at five past, a shared discernment, regions found in S3 and the 90/14-day baseline", () => {
    const cfg = orgAnomalySettingsSchema.parse(BASE);
    expect(cfg.units[0]).toEqual({ name: "payments", organizationalUnits: ["ou-ab12-11111111"], schedule: "cron(5 * * * ? *)", periodMinutes: 60, overlapMinutes: 15, excludeAccounts: [] });
    expect(cfg.discernment).toEqual({ mode: "shared", accounts: [], reservedConcurrency: 10, timeoutSeconds: 600, memoryMb: 512 });
    expect(cfg.regions).toBeUndefined();
    expect(cfg.detection).toMatchObject({ baselineDays: 90, warmUpDays: 14, refreshHours: 24, includeServicePrincipals: false });
    expect(cfg.athena).toEqual({ bytesScannedCutoffMb: 2048, projectionStartDay: "2020/01/01", resultRetentionDays: 7 });
  });

  it("accepts a disabled section without any other field", () => {
    expect(orgAnomalyConfigSchema.parse({ enabled: false })).toEqual({ enabled: false });
  });

  it("says what is wrong and where", () => {
    expect(
      issues({
        ...BASE,
        managementAccountId: "999988887777",
        units: [
          { name: "Payments", organizationalUnits: ["ou-1"], schedule: "hourly" },
          { name: "retail", tag: { key: "bu", values: ["retail"] }, organizationalUnits: ["ou-ab12-11111111"] },
          { name: "hr", schedule: "cron(5 9,17 * * ? *)", tag: { key: "bu", values: ["hr"] } },
        ],
        regions: ["mars-1"],
        discernment: { mode: "per-account" },
        detection: { warmUpDays: -1 },
      }),
    ).toEqual([
      "units.0.name: lower-case letters, digits and '-', at most 40 characters",
      "units.0.schedule: expected an EventBridge expression: rate(1 hour) or cron(5 * * * ? *)",
      "units.0.organizationalUnits.0: expected ou-xxxx-xxxxxxxx or r-xxxx",
      "units.1: a unit selects accounts by exactly one of organizationalUnits or tag",
      'units.2.periodMinutes: cannot tell how often "cron(5 9,17 * * ? *)" fires; set periodMinutes',
      "regions.0: expected a region name such as eu-west-1",
      'discernment.accounts: mode "per-account" needs the accounts that get their own function',
      "detection.warmUpDays: Too small: expected number to be >=0",
    ]);
  });

  it("needs the management account to scope tag lookups, and refuses a unit twice", () => {
    const { managementAccountId: _, ...noManagement } = BASE;
    expect(issues({ ...noManagement, units: [{ name: "retail", tag: { key: "bu", values: ["retail"] } }, { name: "retail", organizationalUnits: ["r-ab12"] }] })).toEqual([
      "units.0.tag: a tag unit needs managementAccountId (top-level organization.managementAccount) to scope organizations:ListTagsForResource, or organizationsRoleArn",
      'units.1.name: duplicate unit name "retail"',
      expect.stringMatching(/^units\.1\.organizationalUnits: an OU unit needs managementAccountId \(the top-level organization section/),
    ]);
  });

  it("needs the Organization's id and management account to scope the OU walk to its root and OUs, unless muster reads Organizations through a role", () => {
    const { organizationId: _, managementAccountId: __, ...bare } = BASE;
    expect(issues(bare)).toEqual([
      "units.0.organizationalUnits: an OU unit needs managementAccountId and organizationId (the top-level organization section: { \"id\": \"o-...\", \"managementAccount\": \"...\" }) to scope organizations:ListAccountsForParent and ListOrganizationalUnitsForParent to the Organization's root and OUs, or organizationsRoleArn",
    ]);
    expect(issues({ ...bare, layout: { type: "organization", organizationId: "o-a1b2c3d4e5" }, managementAccountId: "999988887777" })).toEqual([]);
    expect(issues({ ...bare, organizationsRoleArn: "arn:aws:iam::999988887777:role/org-reader" })).toEqual([]);
  });
});
