import { join } from "node:path";
import { LocalLogSource } from "../../../functions/adapters/local/log-source";
import { catalog } from "../../../functions/core/rules/catalog";
import { RuleEngine } from "../../../functions/core/rules/engine";
import { scanLogs, type ScanResult } from "../../../functions/core/scan";

const DIR = join(__dirname, "../../fixtures/corpora");
const FILES = {
  awsdocs: "awsdocs_examples.jsonl",
  fivexl: "fivexl_test_events.jsonl",
  otrf: "otrf_security_datasets/ec2_proxy_s3_exfiltration_2020-09-14011940.json",
  zmallen: "zmallen_cloudtrail2sightings/cloudtrail.zip",
  panther: "panther_scenarios_cloudtrail.jsonl",
} as const;
type Corpus = keyof typeof FILES;

/** Per file: how many records were scanned and which rule fired on which event (severity included). */
interface PerFile {
  records: number;
  findings: string[];
}

let result: ScanResult;
const perFile = new Map<Corpus, PerFile>();

beforeAll(async () => {
  // Prepare
  const byPath = new Map(Object.entries(FILES).map(([k, f]) => [join(DIR, f), k as Corpus]));
  const engine = new RuleEngine(catalog);
  let pending: string[] = [];
  let before = 0;
  // Act: one scan over all corpora, the way the CLI scans a folder of logs.
  result = await scanLogs(new LocalLogSource([...byPath.keys()]), engine, {
    onFinding: (f) => pending.push(`${f.rule.id} ${f.severity} ${f.record.eventName}`),
    onProgress: (stats, ref) => {
      perFile.set(byPath.get(ref.id)!, { records: stats.records - before, findings: pending.sort() });
      before = stats.records;
      pending = [];
    },
  });
});

const findings = (c: Corpus) => perFile.get(c)!.findings;

describe("scanning outside CloudTrail corpora with the whole catalog", () => {
  it("reads every file without a crash or a rule error and scans every record", () => {
    expect(result.stats).toMatchObject({ filesSeen: 5, filesRead: 5, filesWithErrors: 1, records: 174, invalidRecords: 0 });
    expect(result.ruleErrors).toEqual([]);
    expect(Object.fromEntries([...perFile].map(([k, v]) => [k, v.records]))).toEqual({ awsdocs: 20, fivexl: 9, otrf: 103, zmallen: 15, panther: 27 });
  });

  it("reports the malformed zmallen file by name and still salvages its complete records", () => {
    expect(result.fileErrors).toEqual([
      // Its three records are separated by line breaks without commas: each is read, each missing comma named.
      { source: join(DIR, FILES.zmallen), reason: "aws.execution.ec2-user-data.json: invalid JSON (expected ',' or ']' but found '{' at line 112 column 1): skipped to line 112 column 1 (and 1 more fault(s)); kept 3 complete record(s)" },
    ]);
  });

  it("fires on the fivexl positives that are single-event detections", () => {
    // The four others are out of scope on purpose: "unauthorized_operation" and "access_denied" are
    // single AccessDenied errors (a spike of them is an anomaly question, not a rule), and Lambda code
    // or configuration updates are routine deployments without more context.
    expect(findings("fivexl")).toEqual([
      "cloudtrail.logging-stopped critical StopLogging",
      "cloudtrail.trail-deleted critical DeleteTrail",
      // The event's requestParameters are empty: the change cannot be judged, so it is reported low.
      "cloudtrail.trail-modified low UpdateTrail",
      "iam.root-activity high ConsoleLogin",
      "signin.console-login-without-mfa medium ConsoleLogin",
    ]);
  });

  it("follows the stolen-root-credentials scenario step by step", () => {
    const f = findings("panther");
    // Every root sign-in (victim and attacker, all without MFA) and every root call is reported.
    expect(f.filter((x) => x === "iam.root-activity critical ConsoleLogin")).toHaveLength(8);
    expect(f.filter((x) => x === "signin.console-login-without-mfa high ConsoleLogin")).toHaveLength(8);
    expect(f).toEqual(expect.arrayContaining([
      "iam.root-activity high SetContactAddress",
      // The attacker tries to stop the organization trail from a member account and is refused.
      "cloudtrail.tamper-denied high StopLogging",
      // A key for root itself, then a backdoor user with a key and IAMFullAccess.
      "iam.root-activity critical CreateAccessKey",
      "iam.access-key-created critical CreateAccessKey",
      "iam.user-created medium CreateUser",
      "iam.access-key-created high CreateAccessKey",
      "iam.admin-policy-attached high AttachUserPolicy",
    ]));
    // The attacker's last step, a GPU instance (p2.8xlarge) launched as the new IAM user.
    expect(f.filter((x) => x.endsWith(" RunInstances"))).toEqual(["ec2.unusual-instance-launched medium RunInstances"]);
  });

  it("finds the Stratus detonations in the zmallen files, including the record salvaged from the broken one", () => {
    expect(findings("zmallen")).toEqual([
      "cloudtrail.trail-deleted critical DeleteTrail",
      "ec2.snapshot-shared high ModifySnapshotAttribute",
      "ec2.user-data-modified high ModifyInstanceAttribute",
    ]);
  });

  it("reports the risky examples of the CloudTrail user guide and nothing else there", () => {
    expect(findings("awsdocs")).toEqual([
      // A key pair created and a role created by hand: audit-trail entries (info).
      "ec2.ssh-key-added info CreateKeyPair",
      // Every IAM write is in the change audit (info), next to the rules that judge it.
      "iam.configuration-changed info AddUserToGroup",
      "iam.configuration-changed info CreateRole",
      "iam.configuration-changed info CreateUser",
      "iam.configuration-changed info EnableMFADevice",
      "iam.entity-created-outside-iac info CreateRole",
      "iam.role-trust-opened medium CreateRole",
      "iam.root-activity critical ConsoleLogin",
      "iam.root-activity high ConsoleLogin",
      "iam.root-activity high EnableMFADevice",
      "iam.root-activity high PasswordUpdated",
      "iam.user-added-to-admin-group high AddUserToGroup",
      "iam.user-created low CreateUser",
      // The guide's failed sign-in examples: an IAM user (low) and root (medium).
      "signin.console-login-failed low ConsoleLogin",
      "signin.console-login-failed medium ConsoleLogin",
      "signin.console-login-without-mfa high ConsoleLogin",
      "signin.console-login-without-mfa medium ConsoleLogin",
      "signin.console-login-without-mfa medium ConsoleLogin",
    ]);
  });

  it("stays quiet on the OTRF proxy exfiltration data set, which no single event gives away", () => {
    // Describe* reconnaissance and S3 reads with instance credentials: a job for the anomaly
    // detector (new behaviour of a principal), not for a per-event rule.
    expect(findings("otrf")).toEqual([]);
  });
});
