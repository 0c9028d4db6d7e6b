import type { PathRange, ScanPlan } from "./scan-plan";

/**
 * The one activity query, shared by Athena (in AWS) and DuckDB (on a laptop).
 *
 * Both engines run the same statement: the same principal expression, the same event-time filter,
 * the same grouping and the same file pruning by path range; only the source (an Athena table with
 * projected partitions, or DuckDB's read_json over the same folders) and two regexp function
 * spellings differ. Every value (account, regions, days, path ranges, times) is a `?` parameter;
 * the statement text holds no value from a message.
 */
export type SqlDialect = "athena" | "duckdb";

interface DialectFns {
  like(s: string, re: string): string;
  replace(s: string, re: string, repl: string[]): string;
}

const DIALECTS: Record<SqlDialect, DialectFns> = {
  // Trino: Java-style back references ($1).
  athena: {
    like: (s, re) => `regexp_like(${s}, '${re}')`,
    replace: (s, re, parts) => `regexp_replace(${s}, '${re}', '${parts.map((p) => (/^\d$/.test(p) ? `$${p}` : p)).join("")}')`,
  },
  // DuckDB (RE2): back references are \1.
  duckdb: {
    like: (s, re) => `regexp_matches(${s}, '${re}')`,
    replace: (s, re, parts) => `regexp_replace(${s}, '${re}', '${parts.map((p) => (/^\d$/.test(p) ? `\\${p}` : p)).join("")}')`,
  },
};

const SESSION_ARN = "^arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role/([^/]+)/(.+)$";

/**
 * SQL for the principal id, written to give exactly what `resolvePrincipal()` in
 * `core/record/principal.ts` gives for the same `userIdentity` (tests run both on the same records).
 * `ui` is the userIdentity struct column.
 */
export function principalIdSql(dialect: SqlDialect, ui = "useridentity"): string {
  const d = DIALECTS[dialect];
  const f = (path: string) => `${ui}.${path}`;
  const issuerArn = f("sessioncontext.sessionissuer.arn");
  const roleFromSession = `CASE WHEN ${d.like(f("arn"), SESSION_ARN)} THEN ${d.replace(f("arn"), SESSION_ARN, ["arn:", "1", ":iam::", "2", ":role/", "3"])} END`;
  const accountOrPrincipal = `coalesce(${f("accountid")}, ${f("principalid")}, 'unknown')`;
  return [
    `CASE ${f("type")}`,
    `  WHEN 'IAMUser' THEN coalesce(${f("arn")}, 'arn:aws:iam::' || coalesce(${f("accountid")}, 'unknown') || ':user/' || coalesce(${f("username")}, ${f("principalid")}, 'unknown'))`,
    `  WHEN 'Root' THEN coalesce(${f("arn")}, 'arn:aws:iam::' || coalesce(${f("accountid")}, 'unknown') || ':root')`,
    `  WHEN 'AssumedRole' THEN coalesce(${issuerArn}, ${roleFromSession}, ${f("arn")}, ${f("principalid")}, 'unknown')`,
    `  WHEN 'Role' THEN coalesce(${f("arn")}, ${f("principalid")}, 'unknown')`,
    `  WHEN 'FederatedUser' THEN coalesce(${issuerArn}, ${f("arn")}, ${f("principalid")}, 'unknown')`,
    `  WHEN 'AWSService' THEN 'service:' || coalesce(${f("invokedby")}, 'unknown.amazonaws.com')`,
    `  WHEN 'AWSAccount' THEN 'account:' || ${accountOrPrincipal} || CASE WHEN ${f("principalid")} <> '' AND ${f("principalid")} <> ${accountOrPrincipal} THEN '/' || ${f("principalid")} ELSE '' END`,
    `  WHEN 'IdentityCenterUser' THEN 'identitycenter:' || coalesce(${f("onbehalfof.identitystorearn")}, 'identitystore') || '/' || coalesce(${f("onbehalfof.userid")}, ${f("username")}, ${f("principalid")}, 'unknown')`,
    `  WHEN 'SAMLUser' THEN 'saml:' || coalesce(${f("identityprovider")}, 'unknown-provider') || '/' || coalesce(${f("username")}, ${f("principalid")}, 'unknown')`,
    `  WHEN 'WebIdentityUser' THEN 'webidentity:' || coalesce(${f("identityprovider")}, 'unknown-provider') || '/' || coalesce(${f("username")}, ${f("principalid")}, 'unknown')`,
    `  ELSE coalesce(${f("arn")}, ${f("principalid")}, CASE WHEN ${f("invokedby")} <> '' THEN 'service:' || ${f("invokedby")} END, 'unknown')`,
    `END`,
  ].join("\n");
}

const KNOWN_TYPES = ["IAMUser", "AssumedRole", "Root", "FederatedUser", "AWSService", "AWSAccount", "IdentityCenterUser", "SAMLUser", "WebIdentityUser", "Role"];

/** SQL for the principal type, as `resolvePrincipal().type` (unknown types become `Unknown`). */
export function principalTypeSql(ui = "useridentity"): string {
  return `CASE WHEN ${ui}.type IN (${KNOWN_TYPES.map((t) => `'${t}'`).join(", ")}) THEN ${ui}.type ELSE 'Unknown' END`;
}

/** The source of events for one plan: SQL text with `?` placeholders, and its parameters in order. */
export interface EventSource {
  /** A SELECT yielding columns useridentity, eventsource, eventname, eventtime, readonly, awsregion. */
  sql: string;
  params: unknown[];
}

/** A statement and its positional parameters. */
export interface ActivityStatement {
  sql: string;
  params: unknown[];
}

/** `(path >= ? AND path < ?) OR ...` over `column`, with its parameters. */
export function pathRangeFilter(column: string, ranges: readonly PathRange[]): { sql: string; params: string[] } {
  if (ranges.length === 0) return { sql: "FALSE", params: [] };
  return {
    sql: "(" + ranges.map(() => `(${column} >= ? AND ${column} < ?)`).join(" OR ") + ")",
    params: ranges.flatMap((r) => [r.lo, r.hi]),
  };
}

/**
 * `AND <column> NOT IN (?, ...)` for files known to be damaged (empty when there are none). Both
 * engines prune files by a predicate on the file name, so an excluded file is never opened.
 */
export function excludedFilesFilter(column: string, files: readonly string[]): { sql: string; params: string[] } {
  if (files.length === 0) return { sql: "", params: [] };
  return { sql: `\n  AND ${column} NOT IN (${files.map(() => "?").join(", ")})`, params: [...files] };
}

/**
 * The activity statement: distinct (principal, eventSource, eventName) in the plan's window with
 * first/last time, count, number of non-read-only calls and the regions seen.
 * AWS service principals (`userIdentity.type = AWSService`) are left out unless asked for.
 */
export function activityStatement(dialect: SqlDialect, source: EventSource, plan: ScanPlan, opts: { includeServicePrincipals?: boolean } = {}): ActivityStatement {
  const serviceFilter = opts.includeServicePrincipals ? "" : "\nWHERE principal_type <> 'AWSService'";
  const sql = `SELECT principal, principal_type, eventsource, eventname,
  min(eventtime) AS first_seen, max(eventtime) AS last_seen, count(*) AS events,
  count_if(readonly = 'false') AS writes, min(awsregion) AS region, count(DISTINCT awsregion) AS regions
FROM (
  SELECT ${principalIdSql(dialect).split("\n").join("\n    ")} AS principal,
    ${principalTypeSql()} AS principal_type,
    eventsource, eventname, eventtime, readonly, awsregion
  FROM (
    ${source.sql.split("\n").join("\n    ")}
  ) AS src
  WHERE eventtime >= ? AND eventtime < ?
) AS e${serviceFilter}
GROUP BY principal, principal_type, eventsource, eventname
ORDER BY principal, eventsource, eventname`;
  return { sql, params: [...source.params, plan.eventFrom, plan.eventTo] };
}
