import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine, toAlert, type Finding } from "../../../functions/core/rules/engine";
import type { Alert } from "../../../functions/core/alert/alert";

const OWN = "111122223333";
const OTHER = "444455556666";
const PARTNER = "777788889999";

/** A ModifyXAttribute call made by an IAM user of the own account. */
function call(eventSource: string, eventName: string, requestParameters: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: "1.09",
    userIdentity: { type: "IAMUser", principalId: "AIDAEXAMPLE", arn: `arn:aws:iam::${OWN}:user/mallory`, accountId: OWN, userName: "mallory" },
    eventTime: "2026-10-14T13:12:24Z",
    eventSource,
    eventName,
    awsRegion: "us-east-1",
    sourceIPAddress: "198.51.100.23",
    requestParameters,
    eventID: "12f28769-bb92-5b34-bca3-0aeab387ddb3",
    eventType: "AwsApiCall",
    recipientAccountId: OWN,
  };
}

function alerts(ruleId: string, record: Record<string, unknown>, trustedAccounts: string[] = []): Alert[] {
  const engine = new RuleEngine(catalog, { only: [ruleId], settings: { [ruleId]: { trustedAccounts } } });
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  return ev.kind === "findings" ? ev.findings.map((f: Finding) => toAlert(f)) : [];
}

const ami = (add: unknown[]) => call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-0abc", attributeType: "launchPermission", launchPermission: { add } });
const ebs = (add: unknown[]) => call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-0abc", attributeType: "CREATE_VOLUME_PERMISSION", createVolumePermission: { add } });
const rds = (valuesToAdd: string[]) => call("rds.amazonaws.com", "ModifyDBSnapshotAttribute", { dBSnapshotIdentifier: "prod-db", attributeName: "restore", valuesToAdd });

describe("rules for a resource shared outside the account", () => {
  it.each([
    ["ec2.ami-shared", ami([{ userId: OTHER }, { userId: OWN }, { userId: PARTNER }]), "AMI ami-0abc", { imageId: "ami-0abc" }],
    ["ec2.snapshot-shared", ebs([{ userId: OTHER }, { userId: OWN }, { userId: PARTNER }]), "EBS snapshot snap-0abc", { snapshotId: "snap-0abc" }],
    ["rds.snapshot-shared", rds([OTHER, OWN, PARTNER]), "DB snapshot prod-db", { snapshot: "prod-db" }],
  ])("%s names the untrusted accounts only, leaving out the own and the trusted ones", (id, record, what, idField) => {
    // Act
    const [alert, ...more] = alerts(id, record, [PARTNER]);
    // Assess
    expect(more).toEqual([]);
    expect(alert!.severity).toBe("high");
    expect(alert!.summary).toBe(`mallory shared ${what} of account ${OWN} with account ${OTHER}`);
    expect(alert!.context).toMatchObject({ ...idField, isPublic: false, accounts: [OTHER] });
  });

  it.each([
    ["ec2.ami-shared", ami([{ group: "all" }])],
    ["ec2.snapshot-shared", ebs([{ group: "all" }])],
    ["rds.snapshot-shared", rds(["all"])],
  ])("%s is critical when the resource is made public", (id, record) => {
    const [alert] = alerts(id, record);
    expect(alert!.severity).toBe("critical");
    expect(alert!.summary).toMatch(/ with everyone \(public\)$/);
    expect(alert!.context).toMatchObject({ isPublic: true, accounts: [] });
  });

  it.each([
    ["ec2.ami-shared", ami([{ userId: PARTNER }, { userId: OWN }])],
    ["ec2.snapshot-shared", ebs([{ userId: PARTNER }])],
    ["rds.snapshot-shared", rds([PARTNER])],
    ["ec2.ami-shared", call("ec2.amazonaws.com", "ModifyImageAttribute", { imageId: "ami-0abc", attributeType: "description", launchPermission: { add: [{ userId: OTHER }] } })],
    ["ec2.snapshot-shared", call("ec2.amazonaws.com", "ModifySnapshotAttribute", { snapshotId: "snap-0abc", attributeType: "PRODUCT_CODES", createVolumePermission: { add: [{ userId: OTHER }] } })],
    ["rds.snapshot-shared", call("rds.amazonaws.com", "ModifyDBSnapshotAttribute", { dBSnapshotIdentifier: "prod-db", attributeName: "other", valuesToAdd: [OTHER] })],
  ])("%s stays quiet on trusted shares and on other attributes", (id, record) => {
    expect(alerts(id, record, [PARTNER])).toEqual([]);
  });
});
