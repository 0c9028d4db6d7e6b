import {
  digestFileTime,
  layoutPosition,
  listingDays,
  logFileMayHoldWindow,
  logFileTime,
  parseS3Uri,
} from "../../../functions/core/sources/cloudtrail-prefixes";

describe("CloudTrail prefixes in S3", () => {
  it("reads s3:// URIs as a bucket and a folder prefix, and refuses what is not one", () => {
    expect(parseS3Uri("s3://logs-bucket")).toEqual({ bucket: "logs-bucket", prefix: "" });
    expect(parseS3Uri("s3://logs-bucket/trail/AWSLogs")).toEqual({ bucket: "logs-bucket", prefix: "trail/AWSLogs/" });
    expect(() => parseS3Uri("s3://Bad_Bucket/")).toThrow(/is not an S3 bucket name/);
    expect(() => parseS3Uri("https://x/")).toThrow(/is not an S3 URI/);
    expect(() => parseS3Uri("s3://logs-bucket/a/../b/")).toThrow(/"\." or "\.\." folder/);
  });

  it("tells how far down the layout a prefix points, in both layouts", () => {
    expect(layoutPosition("")).toEqual({ root: "AWSLogs/" });
    expect(layoutPosition("trail-prefix/")).toEqual({ root: "trail-prefix/AWSLogs/" });
    expect(layoutPosition("AWSLogs/o-abcdefghij/")).toEqual({ root: "AWSLogs/", organizationId: "o-abcdefghij" });
    expect(layoutPosition("p/AWSLogs/o-abcdefghij/111122223333/CloudTrail/eu-west-1/")).toEqual({
      root: "p/AWSLogs/", organizationId: "o-abcdefghij", account: "111122223333", region: "eu-west-1",
    });
    expect(layoutPosition("AWSLogs/111122223333/")).toEqual({ root: "AWSLogs/", account: "111122223333" });
    expect(() => layoutPosition("AWSLogs/12345/")).toThrow(/neither a 12-digit account id nor an organization id/);
    expect(() => layoutPosition("AWSLogs/111122223333/CloudTrail-Digest/")).toThrow(/expected CloudTrail\/ after the account/);
  });

  it("keeps the files whose delivery time can hold events of the window, and lists one day beyond when the lateness crosses midnight", () => {
    const w = { from: new Date("2026-11-20T10:00:00Z"), to: new Date("2026-11-20T23:30:00Z") };
    const key = (stamp: string) => `AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/20/111122223333_CloudTrail_us-east-1_${stamp}_abc.json.gz`;
    expect(logFileTime(key("20261120T1005Z"))).toEqual(new Date("2026-11-20T10:05:00Z"));
    expect(logFileMayHoldWindow(key("20261120T0955Z"), w)).toBe(false);
    expect(logFileMayHoldWindow(key("20261120T1000Z"), w)).toBe(true);
    expect(logFileMayHoldWindow(key("20261121T0025Z"), w)).toBe(true);
    expect(logFileMayHoldWindow(key("20261121T0100Z"), w)).toBe(false);
    expect(logFileMayHoldWindow("AWSLogs/x/no-stamp.json", w)).toBe(true);
    expect(listingDays(w)).toEqual(["2026/11/20", "2026/11/21"]);
    expect(digestFileTime("x/111122223333_CloudTrail-Digest_us-east-1_t_us-east-1_20261120T100131Z.json.gz")).toEqual(new Date("2026-11-20T10:01:31Z"));
  });
});
