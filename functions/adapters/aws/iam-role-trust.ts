import { GetRoleCommand, IAMClient } from "@aws-sdk/client-iam";
import { AssumeRoleCommand, type STSClient } from "@aws-sdk/client-sts";
import { parseRoleTrust, type RoleTrust, type RoleTrustLookup } from "../../core/anomaly/trust";
import { clientSettings } from "./client-settings";

export interface IamRoleTrustOptions {
  /** Name of the read-only role to assume in each member account (e.g. `trailwatch-read-only`). */
  roleName: string;
  /** Partition of the ARNs, default `aws`. */
  partition?: string;
  /** Optional external id the role's trust policy asks for. */
  externalId?: string;
  /** Builds an IAM client with the assumed credentials (tests replace it). */
  iamClient?: (credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string }) => IAMClient;
}

/**
 * Reads a role's trust policy in its own account through an optional read-only role there
 * (sts:AssumeRole, then iam:GetRole). Only roles that are about to alert are looked up, and the
 * answer is enrichment: if it cannot be had (no role, access denied), severity is computed without
 * it and the reason is kept in `lastError`, never failing the run.
 */
export class IamRoleTrustLookup implements RoleTrustLookup {
  lastError?: string;
  private readonly clients = new Map<string, Promise<IAMClient>>();

  constructor(private readonly sts: STSClient, private readonly o: IamRoleTrustOptions) {}

  private client(account: string): Promise<IAMClient> {
    let c = this.clients.get(account);
    if (!c) {
      c = (async () => {
        const res = await this.sts.send(
          new AssumeRoleCommand({
            RoleArn: `arn:${this.o.partition ?? "aws"}:iam::${account}:role/${this.o.roleName}`,
            RoleSessionName: "trailwatch-discernment",
            DurationSeconds: 900,
            ExternalId: this.o.externalId,
          }),
        );
        const k = res.Credentials;
        if (!k?.AccessKeyId || !k.SecretAccessKey) throw new Error("AssumeRole returned no credentials");
        const creds = { accessKeyId: k.AccessKeyId, secretAccessKey: k.SecretAccessKey, sessionToken: k.SessionToken };
        return this.o.iamClient ? this.o.iamClient(creds) : new IAMClient({ ...clientSettings({ maxAttempts: 3 }), credentials: creds });
      })();
      this.clients.set(account, c);
      c.catch(() => this.clients.delete(account));
    }
    return c;
  }

  async trustOf(account: string, roleArn: string): Promise<RoleTrust | undefined> {
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    if (!m || m[1] !== account) return undefined;
    try {
      const iam = await this.client(account);
      const res = await iam.send(new GetRoleCommand({ RoleName: m[2]! }));
      const doc = res.Role?.AssumeRolePolicyDocument;
      return doc ? parseRoleTrust(doc, account) : undefined;
    } catch (e) {
      this.lastError = `trust of ${roleArn}: ${(e as Error).name}: ${(e as Error).message}`;
      return undefined;
    }
  }
}
