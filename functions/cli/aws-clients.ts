import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { cliClientSettings } from "../adapters/aws/client-settings";

/** How the CLI's AWS clients find credentials and region: the standard chain, optionally a named profile. */
export interface AwsClientOptions {
  /** A profile of ~/.aws/config and ~/.aws/credentials (`--profile`); else AWS_PROFILE or the default chain. */
  profile?: string;
  /** `--region`; else AWS_REGION, AWS_DEFAULT_REGION or the profile's region. */
  region?: string;
}

/** True when the SDK can resolve a region for `client` (environment or profile). */
async function hasRegion(client: { config: { region: () => Promise<string> } }): Promise<boolean> {
  try {
    return Boolean(await client.config.region());
  } catch {
    return false;
  }
}

/**
 * An S3 client for reading a trail bucket: the standard credential chain (environment, SSO, profile,
 * container and instance roles) with `profile` if given, the endpoint from `AWS_ENDPOINT_URL_S3` when
 * set (local servers), the CLI's timeouts and retries ({@link cliClientSettings}), and S3's region
 * redirects followed, so a bucket in another region is read without naming it. Without any configured region it starts from us-east-1.
 */
export async function cliS3Client(o: AwsClientOptions): Promise<S3Client> {
  const base = { ...cliClientSettings({ profile: o.profile }), followRegionRedirects: true };
  if (o.region) return new S3Client({ ...base, region: o.region });
  const client = new S3Client(base);
  if (await hasRegion(client)) return client;
  client.destroy();
  return new S3Client({ ...base, region: "us-east-1" });
}

/** A CloudTrail client of one region (LookupEvents, ListPublicKeys), with the CLI's timeouts and retries ({@link cliClientSettings}). */
export function cliCloudTrailClient(o: AwsClientOptions & { region: string }): CloudTrailClient {
  return new CloudTrailClient(cliClientSettings(o));
}

/** A Step Functions client of the state machine's region (trailwatch hunt), with the CLI's timeouts and retries ({@link cliClientSettings}). */
export function cliSfnClient(o: AwsClientOptions & { region: string }): SFNClient {
  return new SFNClient(cliClientSettings(o));
}
