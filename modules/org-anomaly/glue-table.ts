import { logsRoot as trailLogsRoot } from "../../functions/core/aws/cloudtrail-keys";
import type { OrgAnomalySettings } from "./config";

/**
 * The CloudTrail table's columns (lower case, as Athena's CloudTrail SerDe expects). Only the
 * fields the activity query reads need to be right; the rest keep the table useful in the console.
 * `useridentity` carries every field `resolvePrincipal()` looks at (onbehalfof, identityprovider).
 */
export const CLOUDTRAIL_COLUMNS: { name: string; type: string }[] = [
  { name: "eventversion", type: "string" },
  {
    name: "useridentity",
    type:
      "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string," +
      "identityprovider:string,onbehalfof:struct<userid:string,identitystorearn:string>," +
      "sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>," +
      "sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>," +
      "ec2roledelivery:string,webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>,sourceidentity:string>>",
  },
  { name: "eventtime", type: "string" },
  { name: "eventsource", type: "string" },
  { name: "eventname", type: "string" },
  { name: "awsregion", type: "string" },
  { name: "sourceipaddress", type: "string" },
  { name: "useragent", type: "string" },
  { name: "errorcode", type: "string" },
  { name: "errormessage", type: "string" },
  { name: "requestparameters", type: "string" },
  { name: "responseelements", type: "string" },
  { name: "additionaleventdata", type: "string" },
  { name: "requestid", type: "string" },
  { name: "eventid", type: "string" },
  { name: "readonly", type: "string" },
  { name: "resources", type: "array<struct<arn:string,accountid:string,type:string>>" },
  { name: "eventtype", type: "string" },
  { name: "apiversion", type: "string" },
  { name: "recipientaccountid", type: "string" },
  { name: "serviceeventdetails", type: "string" },
  { name: "sharedeventid", type: "string" },
  { name: "vpcendpointid", type: "string" },
  { name: "eventcategory", type: "string" },
];

/** The partition columns, all projected: nothing is ever added with ALTER TABLE. */
export const PARTITION_KEYS = [
  { name: "account", type: "string", comment: "injected: each query names its account" },
  { name: "region", type: "string", comment: "injected (regions listed from S3 per run) or enum (the configured regions)" },
  { name: "date", type: "string", comment: "projected day folder yyyy/MM/dd" },
];

/** `s3://bucket/<prefix>AWSLogs/` or `.../AWSLogs/<org-id>/`: where every account's folder is. */
export function logsRoot(s: Pick<OrgAnomalySettings, "bucketName" | "keyPrefix" | "layout">): string {
  return `s3://${s.bucketName}/${trailLogsRoot(s.layout, s.keyPrefix)}`;
}

/**
 * The table parameters: partition projection on account (injected), region (injected, or enum of
 * the configured regions) and date (a date range from `projectionStartDay` to now). The location
 * template's `$${...}` is Terraform's escape for a literal `${...}`: Athena fills those, not Terraform.
 */
export function projectionParameters(s: Pick<OrgAnomalySettings, "bucketName" | "keyPrefix" | "layout" | "regions" | "athena">): Record<string, string> {
  const region: Record<string, string> = s.regions
    ? { "projection.region.type": "enum", "projection.region.values": [...new Set(s.regions)].sort().join(",") }
    : { "projection.region.type": "injected" };
  return {
    EXTERNAL: "TRUE",
    classification: "cloudtrail",
    "projection.enabled": "true",
    "projection.account.type": "injected",
    ...region,
    "projection.date.type": "date",
    "projection.date.format": "yyyy/MM/dd",
    "projection.date.range": `${s.athena.projectionStartDay},NOW`,
    "projection.date.interval": "1",
    "projection.date.interval.unit": "DAYS",
    "storage.location.template": `${logsRoot(s)}$\${account}/CloudTrail/$\${region}/$\${date}`,
  };
}
