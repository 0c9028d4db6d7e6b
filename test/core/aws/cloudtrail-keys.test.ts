import {
  accountFolder,
  accountLogPrefix,
  awsLogsRelative,
  dayFolderPrefix,
  dayLogPrefix,
  layoutOf,
  logKeyAccount,
  logsRoot,
  normalizeKeyPrefix,
  parseAwsLogsKey,
} from "../../../functions/core/aws/cloudtrail-keys";

const ACCOUNT = "111122223333";
const ORG = { type: "organization", organizationId: "o-abcdef1234" } as const;

describe("CloudTrail keys: building prefixes", () => {
  it("puts the organization id between AWSLogs/ and the account only for an organization trail", () => {
    // Prepare / Act / Assess
    expect(logsRoot({ type: "account" })).toBe("AWSLogs/");
    expect(logsRoot(ORG, "trails/")).toBe("trails/AWSLogs/o-abcdef1234/");
    expect(accountLogPrefix({ type: "account" }, ACCOUNT)).toBe("AWSLogs/111122223333/CloudTrail/");
    expect(accountLogPrefix(ORG, ACCOUNT, "", "digests")).toBe("AWSLogs/o-abcdef1234/111122223333/CloudTrail-Digest/");
  });

  it("builds a day's prefix in both layouts, with the trail's key prefix as written", () => {
    expect(dayLogPrefix(layoutOf(undefined), ACCOUNT, "eu-west-1", "2026/11/20")).toBe("AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/20/");
    expect(dayLogPrefix(layoutOf("o-abcdef1234"), ACCOUNT, "eu-west-1", "2026/11/20", normalizeKeyPrefix("/trails/")))
      .toBe("trails/AWSLogs/o-abcdef1234/111122223333/CloudTrail/eu-west-1/2026/11/20/");
  });

  it("normalizes a trail's key prefix to nothing or one trailing slash", () => {
    expect(normalizeKeyPrefix(undefined)).toBe("");
    expect(normalizeKeyPrefix("/")).toBe("");
    expect(normalizeKeyPrefix("a/b")).toBe("a/b/");
    expect(normalizeKeyPrefix("//a/b//")).toBe("a/b/");
  });

  it("builds account and day folders under a found AWSLogs/ folder, for logs and digests", () => {
    const a = { root: "AWSLogs/", organizationId: "o-abcdefghij", account: ACCOUNT };
    expect(dayFolderPrefix(accountFolder(a), "us-east-1", "2026/11/20")).toBe("AWSLogs/o-abcdefghij/111122223333/CloudTrail/us-east-1/2026/11/20/");
    expect(accountFolder({ root: "AWSLogs/", account: ACCOUNT }, "digests")).toBe("AWSLogs/111122223333/CloudTrail-Digest/");
  });

  it("refuses every part that would put something else into a key, naming it", () => {
    expect(() => dayFolderPrefix("AWSLogs/111122223333/CloudTrail/", "../x", "2026/11/20")).toThrow(/is not a region name/);
    expect(() => dayFolderPrefix("AWSLogs/111122223333/CloudTrail/", "us-east-1", "2026/11/20/..")).toThrow(/is not YYYY\/MM\/DD/);
    expect(() => accountLogPrefix({ type: "account" }, "1111/../2222")).toThrow(/account id "1111\/..\/2222" is not 12 digits/);
    expect(() => logsRoot({ type: "organization", organizationId: "o-../x" })).toThrow(/organization id is not valid/);
    expect(() => logsRoot({ type: "account" }, "trails")).toThrow(/must be empty or end in "\/"/);
  });
});

describe("CloudTrail keys: reading keys", () => {
  it("reads the organization, account, kind and region of a key relative to AWSLogs/", () => {
    const rel = awsLogsRelative("C:\\copies\\trail\\AWSLogs\\o-abcdef1234\\111122223333\\CloudTrail-Digest\\eu-west-1\\2026\\11\\20\\d.json.gz")!;
    expect(rel).toBe("AWSLogs/o-abcdef1234/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/d.json.gz");
    expect(parseAwsLogsKey(rel)).toEqual({ organizationId: "o-abcdef1234", account: ACCOUNT, kind: "digests", region: "eu-west-1", rest: "2026/11/20/d.json.gz" });
    expect(parseAwsLogsKey("AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/f.json.gz")).toEqual({ account: ACCOUNT, kind: "logs", region: "us-east-1", rest: "2026/11/20/f.json.gz" });
  });

  it("reads nothing from keys outside the layout", () => {
    expect(awsLogsRelative("uploads/f.json.gz")).toBeUndefined();
    expect(parseAwsLogsKey("AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2026/11/20/f.json.gz")).toBeUndefined();
    expect(parseAwsLogsKey("AWSLogs/12345/CloudTrail/us-east-1/2026/11/20/f.json.gz")).toBeUndefined();
  });

  it("takes the account of the last AWSLogs/ segment, so a prefix cannot stand in for it", () => {
    expect(logKeyAccount("AWSLogs/111122223333/CloudTrail/x/AWSLogs/999988887777/CloudTrail/us-east-1/f.json.gz")).toBe("999988887777");
  });
});
