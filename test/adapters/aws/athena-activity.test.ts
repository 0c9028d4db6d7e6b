import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand, StopQueryExecutionCommand, TooManyRequestsException } from "@aws-sdk/client-athena";
import { mockClient } from "aws-sdk-client-mock";
import { AthenaActivityQuery, AthenaQueryError } from "../../../functions/adapters/aws/athena-activity";

const ACCT = "111122223333";
const layout = { type: "organization", organizationId: "o-abcdef1234" } as const;
const COLUMNS = ["principal", "principal_type", "eventsource", "eventname", "first_seen", "last_seen", "events", "writes", "region", "regions"];
const row = (vals: string[]) => ({ Data: vals.map((v) => ({ VarCharValue: v })) });
const meta = { ColumnInfo: COLUMNS.map((Name) => ({ Name, Type: "varchar" })) };

function athenaMock() {
  const mock = mockClient(AthenaClient);
  const client = new AthenaClient({ region: "us-east-1" });
  return { mock, client };
}

const noSleep = async () => undefined;
const base = { workGroup: "trailwatch-anomaly", database: "trailwatch_anomaly", table: "cloudtrail", bucket: "org-trail-logs", keyPrefix: "ct/", layout, sleep: noSleep };

describe("the Athena activity query", () => {
  afterEach(() => jest.restoreAllMocks());

  it("sends the shared statement with every value as an execution parameter, and reads all result pages", async () => {
    // Prepare
    const { mock, client } = athenaMock();
    mock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-1" });
    mock.on(GetQueryExecutionCommand).resolvesOnce({ QueryExecution: { Status: { State: "RUNNING" } } }).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    mock
      .on(GetQueryResultsCommand, { QueryExecutionId: "q-1", NextToken: undefined, MaxResults: 1000 })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row(COLUMNS), row([`arn:aws:iam::${ACCT}:role/app`, "AssumedRole", "iam.amazonaws.com", "CreateUser", "2026-11-20T10:01:00Z", "2026-11-20T10:02:00Z", "2", "2", "us-east-1", "1"])] }, NextToken: "page-2" })
      .on(GetQueryResultsCommand, { QueryExecutionId: "q-1", NextToken: "page-2", MaxResults: 1000 })
      .resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row([`arn:aws:iam::${ACCT}:user/bob`, "IAMUser", "s3.amazonaws.com", "ListBuckets", "2026-11-20T10:05:00Z", "2026-11-20T10:05:00Z", "1", "0", "eu-west-1", "1"])] } });
    const q = new AthenaActivityQuery(client, { ...base, regions: ["eu-west-1", "us-east-1"] });

    // Act: a window across midnight
    const rows = await q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T23:45:00Z"), to: new Date("2026-11-21T01:00:00Z") });

    // Assess: statement text without values; parameters as quoted literals, in order.
    const input = mock.commandCalls(StartQueryExecutionCommand)[0]!.args[0].input;
    expect(input.WorkGroup).toBe("trailwatch-anomaly");
    expect(input.QueryExecutionContext).toEqual({ Database: "trailwatch_anomaly", Catalog: "AwsDataCatalog" });
    expect(input.QueryString).not.toMatch(/111122223333|2026|us-east-1|org-trail-logs/);
    expect(input.QueryString).toMatch(/FROM "trailwatch_anomaly"\."cloudtrail"\s+WHERE account = \?\s+AND region IN \(\?, \?\)\s+AND "date" IN \(\?, \?\)/);
    expect(input.QueryString).toContain(`("$path" >= ? AND "$path" < ?)`);
    const p = input.ExecutionParameters!;
    expect(p.slice(0, 5)).toEqual([`'${ACCT}'`, "'eu-west-1'", "'us-east-1'", "'2026/11/20'", "'2026/11/21'"]);
    expect(p[5]).toBe(`'s3://org-trail-logs/ct/AWSLogs/o-abcdef1234/${ACCT}/CloudTrail/eu-west-1/2026/11/20/${ACCT}_CloudTrail_eu-west-1_20261120T2345Z'`);
    expect(p[6]).toBe(`'s3://org-trail-logs/ct/AWSLogs/o-abcdef1234/${ACCT}/CloudTrail/eu-west-1/2026/11/20/${ACCT}_CloudTrail_eu-west-1_20261121T0110Z'`);
    expect(p.slice(-2)).toEqual(["'2026-11-20T23:45:00Z'", "'2026-11-21T01:00:00Z'"]);
    expect(p).toHaveLength(5 + 2 * 4 + 2);
    expect(rows).toEqual([
      expect.objectContaining({ principal: `arn:aws:iam::${ACCT}:role/app`, eventName: "CreateUser", count: 2, writes: 2, region: "us-east-1" }),
      expect.objectContaining({ principal: `arn:aws:iam::${ACCT}:user/bob`, eventName: "ListBuckets", count: 1, writes: 0 }),
    ]);
    mock.restore();
  });

  it("retries a throttled start with backoff a bounded number of times, then ends the run with an error", async () => {
    const { mock, client } = athenaMock();
    mock.on(StartQueryExecutionCommand).rejects(new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} }));
    const sleeps: number[] = [];
    const q = new AthenaActivityQuery(client, { ...base, regions: ["us-east-1"], startAttempts: 4, sleep: async (ms) => void sleeps.push(ms) });
    await expect(q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") })).rejects.toThrow(/kept throttling StartQueryExecution .* after 4 attempts/);
    expect(mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(4);
    expect(sleeps).toHaveLength(3);
    mock.restore();
  });

  it("fails with Athena's reason when the query fails (e.g. the bytes-scanned cutoff)", async () => {
    const { mock, client } = athenaMock();
    mock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-2" });
    mock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "FAILED", StateChangeReason: "Query exhausted the bytes scanned limit" } } });
    const q = new AthenaActivityQuery(client, { ...base, regions: ["us-east-1"] });
    const err = await q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AthenaQueryError);
    expect((err as Error).message).toBe("Athena query q-2 for account 111122223333 FAILED: Query exhausted the bytes scanned limit");
    mock.restore();
  });

  it("runs the query again without a damaged file Athena names, and reports that file with Athena's reason", async () => {
    // Prepare: the first query fails on one file (Athena's HIVE_BAD_DATA wording names its location), the second succeeds.
    const bad = `s3://org-trail-logs/ct/AWSLogs/o-abcdef1234/${ACCT}/CloudTrail/us-east-1/2026/11/20/${ACCT}_CloudTrail_us-east-1_20261120T1030Z_damaged.json.gz`;
    const reason = `HIVE_BAD_DATA: Error parsing field value for field 0: Unexpected end-of-input. You may need to manually clean the data at location '${bad}' before retrying. Athena will not delete data in your account.`;
    const { mock, client } = athenaMock();
    mock.on(StartQueryExecutionCommand).resolvesOnce({ QueryExecutionId: "q-bad" }).resolves({ QueryExecutionId: "q-good" });
    mock.on(GetQueryExecutionCommand, { QueryExecutionId: "q-bad" }).resolves({ QueryExecution: { Status: { State: "FAILED", StateChangeReason: reason } } });
    mock.on(GetQueryExecutionCommand, { QueryExecutionId: "q-good" }).resolves({ QueryExecution: { Status: { State: "SUCCEEDED" } } });
    mock.on(GetQueryResultsCommand, { QueryExecutionId: "q-good" }).resolves({ ResultSet: { ResultSetMetadata: meta, Rows: [row(COLUMNS), row([`arn:aws:iam::${ACCT}:user/bob`, "IAMUser", "s3.amazonaws.com", "ListBuckets", "2026-11-20T10:05:00Z", "2026-11-20T10:05:00Z", "1", "0", "us-east-1", "1"])] } });
    const q = new AthenaActivityQuery(client, { ...base, regions: ["us-east-1"] });

    // Act
    const rows = await q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") });

    // Assess: the second statement excludes exactly that file, as a parameter; the result and the report are there.
    expect(rows.map((r) => r.eventName)).toEqual(["ListBuckets"]);
    const [first, second] = mock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    expect(first!.QueryString).not.toContain("NOT IN");
    expect(second!.QueryString).toContain(`AND "$path" NOT IN (?)`);
    expect(second!.QueryString).not.toContain("damaged");
    expect(second!.ExecutionParameters).toContain(`'${bad}'`);
    expect(q.lastSkipped).toEqual([{ file: bad, reason: expect.stringMatching(/^Athena could not read it \(query q-bad\): HIVE_BAD_DATA/) }]);
    mock.restore();
  });

  it("fails the window as before when Athena's error names no file of this account (it cannot tell which file)", async () => {
    const other = "s3://org-trail-logs/ct/AWSLogs/o-abcdef1234/444455556666/CloudTrail/us-east-1/2026/11/20/x.json.gz";
    const { mock, client } = athenaMock();
    mock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-4" });
    mock.on(GetQueryExecutionCommand).resolvesOnce({ QueryExecution: { Status: { State: "FAILED", StateChangeReason: "HIVE_CURSOR_ERROR: Unexpected end of input stream" } } }).resolves({ QueryExecution: { Status: { State: "FAILED", StateChangeReason: `HIVE_BAD_DATA at location '${other}'` } } });
    const q = new AthenaActivityQuery(client, { ...base, regions: ["us-east-1"] });
    const window = { account: ACCT, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") };
    await expect(q.distinctActivity(window)).rejects.toThrow(/FAILED: HIVE_CURSOR_ERROR: Unexpected end of input stream/);
    await expect(q.distinctActivity(window)).rejects.toThrow(/444455556666/);
    expect(mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(2);
    mock.restore();
  });

  it("stops a query that runs past its deadline and fails instead of waiting forever", async () => {
    const { mock, client } = athenaMock();
    mock.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: "q-3" });
    mock.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: "RUNNING" } } });
    mock.on(StopQueryExecutionCommand).resolves({});
    let clock = 0;
    const q = new AthenaActivityQuery(client, { ...base, regions: ["us-east-1"], timeoutMs: 60_000, now: () => clock, sleep: async (ms) => void (clock += ms) });
    await expect(q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") })).rejects.toThrow(/did not finish within 60 s .*stopped it/);
    expect(mock.commandCalls(StopQueryExecutionCommand)[0]!.args[0].input).toEqual({ QueryExecutionId: "q-3" });
    expect(mock.commandCalls(GetQueryExecutionCommand).length).toBeLessThan(30);
    mock.restore();
  });

  it("skips the query when the account's trail wrote to no region (regions are listed from S3: athena-regions.test.ts)", async () => {
    const { mock, client } = athenaMock();
    const q = new AthenaActivityQuery(client, { ...base, regions: { regions: async () => [] } });
    expect(await q.distinctActivity({ account: ACCT, from: new Date("2026-11-20T09:45:00Z"), to: new Date("2026-11-20T11:00:00Z") })).toEqual([]);
    expect(mock.commandCalls(StartQueryExecutionCommand)).toHaveLength(0);
    mock.restore();
  });
});
