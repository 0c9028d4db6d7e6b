/**
 * Stands in for `@aws-sdk/credential-provider-node` inside Lambda bundles (esbuild `alias`).
 *
 * Lambda hands a function its role's credentials in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which is the first link of the SDK's default chain.
 * The rest of the chain (shared ini files, SSO, web identity, process, instance metadata) can never
 * apply there, but it imports the STS/SSO clients: about 115 KB of every bundle and its load time.
 * Explicit AssumeRole calls (muster, the trust lookup) use their own STS client and are unaffected.
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

export const defaultProvider = (_init?: unknown) => fromEnv();
