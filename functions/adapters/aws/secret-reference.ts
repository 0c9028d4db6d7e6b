import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SSMClient } from "@aws-sdk/client-ssm";
import { SecretsProvider } from "@aws-lambda-powertools/parameters/secrets";
import { SSMProvider } from "@aws-lambda-powertools/parameters/ssm";

/** Where a secret lives: a Secrets Manager secret or an SSM SecureString parameter. Never the value. */
export type SecretRef =
  | { kind: "secretsmanager"; secretId: string }
  | { kind: "ssm"; parameterName: string };

/** Something that hands out a secret value on demand (e.g. the HEC token). */
export interface TokenSource {
  /** The current value; `refresh` bypasses the cache (after the receiver rejected the cached one). */
  get(refresh?: boolean): Promise<string>;
}

/** A secret could not be read or has an unusable shape. The message never contains the value. */
export class SecretReferenceError extends Error {
  override name = "SecretReferenceError";
}

/**
 * Picks the secret reference from two settings of which exactly one must be set, e.g.
 * `HEC_TOKEN_SECRET_ARN` / `HEC_TOKEN_PARAMETER_NAME`.
 */
export function secretRefFrom(
  secretId: string | undefined,
  parameterName: string | undefined,
  names: { secret: string; parameter: string },
): SecretRef {
  const s = secretId?.trim() || undefined;
  const p = parameterName?.trim() || undefined;
  if (s && p) throw new SecretReferenceError(`set only one of ${names.secret} and ${names.parameter}, not both`);
  if (s) return { kind: "secretsmanager", secretId: s };
  if (p) return { kind: "ssm", parameterName: p };
  throw new SecretReferenceError(`set ${names.secret} (Secrets Manager) or ${names.parameter} (SSM SecureString)`);
}

/** Human wording of a reference, for messages (names the secret, never its value). */
export function describeSecretRef(ref: SecretRef): string {
  return ref.kind === "secretsmanager" ? `Secrets Manager secret ${ref.secretId}` : `SSM parameter ${ref.parameterName}`;
}

export interface SecretReferenceOptions {
  /** Cache lifetime in seconds (default 300): a rotated secret is picked up within this time. */
  maxAgeSeconds?: number;
  /** Clients (tests pass mocked ones; Lambda uses default clients in its own region). */
  secretsManager?: SecretsManagerClient;
  ssm?: SSMClient;
  /** JSON key holding the value when the secret is a JSON object (default "token"). */
  jsonKey?: string;
}

/**
 * Reads a secret at run time through Powertools Parameters and caches it for `maxAgeSeconds`.
 * Secrets Manager values may be the raw value or a JSON object `{"token": "..."}`; SSM parameters are
 * read with decryption. The value is never logged and never appears in an error message.
 */
export class SecretReference implements TokenSource {
  private readonly maxAge: number;
  private readonly jsonKey: string;
  private secrets?: SecretsProvider;
  private parameters?: SSMProvider;

  constructor(
    readonly ref: SecretRef,
    private readonly opts: SecretReferenceOptions = {},
  ) {
    this.maxAge = opts.maxAgeSeconds ?? 300;
    this.jsonKey = opts.jsonKey ?? "token";
  }

  async get(refresh = false): Promise<string> {
    let raw: unknown;
    try {
      raw =
        this.ref.kind === "secretsmanager"
          ? await this.secretsProvider().get(this.ref.secretId, { maxAge: this.maxAge, forceFetch: refresh })
          : await this.ssmProvider().get(this.ref.parameterName, { maxAge: this.maxAge, forceFetch: refresh, decrypt: true });
    } catch (err) {
      const cause = (err as { cause?: { name?: string } }).cause;
      const why = cause?.name ?? (err as Error).name ?? "error";
      throw new SecretReferenceError(`could not read ${describeSecretRef(this.ref)}: ${why}: ${safeMessage(err)}`);
    }
    return this.extract(raw);
  }

  private extract(raw: unknown): string {
    const where = describeSecretRef(this.ref);
    const text = raw instanceof Uint8Array ? Buffer.from(raw).toString("utf8") : raw;
    if (typeof text !== "string") throw new SecretReferenceError(`${where} has no value`);
    const trimmed = text.trim();
    if (trimmed.startsWith("{")) {
      let doc: unknown;
      try {
        doc = JSON.parse(trimmed);
      } catch {
        throw new SecretReferenceError(`${where} starts with "{" but is not valid JSON; store the raw value or {"${this.jsonKey}": "..."}`);
      }
      const value = (doc as Record<string, unknown>)[this.jsonKey];
      if (typeof value !== "string" || value.trim() === "") {
        const keys = Object.keys(doc as object).join(", ") || "none";
        throw new SecretReferenceError(`${where} is a JSON object without a non-empty string "${this.jsonKey}" (keys: ${keys})`);
      }
      return value.trim();
    }
    if (trimmed === "") throw new SecretReferenceError(`${where} is empty`);
    return trimmed;
  }

  private secretsProvider(): SecretsProvider {
    return (this.secrets ??= new SecretsProvider(this.opts.secretsManager ? { awsSdkV3Client: this.opts.secretsManager } : {}));
  }

  private ssmProvider(): SSMProvider {
    return (this.parameters ??= new SSMProvider(this.opts.ssm ? { awsSdkV3Client: this.opts.ssm } : {}));
  }
}

/** SDK error messages name the resource, not its value; still, keep them short. */
function safeMessage(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 300 ? m.slice(0, 297) + "..." : m;
}
