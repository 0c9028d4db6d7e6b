import type { IConstruct } from "constructs";
import { TerraformStack } from "cdktf";
import { AwsProvider, type AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";

/** Settings copied from the stack's default AWS provider so a regional provider authenticates the same way. */
const INHERITED: (keyof AwsProviderConfig)[] = [
  "accessKey",
  "secretKey",
  "token",
  "profile",
  "sharedConfigFiles",
  "sharedCredentialsFiles",
  "assumeRole",
  "assumeRoleWithWebIdentity",
  "allowedAccountIds",
  "forbiddenAccountIds",
  "defaultTags",
  "ignoreTags",
  "skipCredentialsValidation",
  "skipRequestingAccountId",
  "skipMetadataApiCheck",
  "skipRegionValidation",
  "stsRegion",
  "maxRetries",
  "retryMode",
];

function awsProviders(stack: TerraformStack): AwsProvider[] {
  return stack.node.findAll().filter((c): c is AwsProvider => c instanceof AwsProvider);
}

/**
 * The aliased AWS provider for `region` in the stack of `scope`: an existing aliased provider of that
 * region is reused (whoever created it: infra/main.ts or another construct), otherwise one is created
 * at stack level with alias `<region>` and the default provider's authentication settings.
 */
export function regionalProvider(scope: IConstruct, region: string): AwsProvider {
  const stack = TerraformStack.of(scope);
  const providers = awsProviders(stack);
  const existing = providers.find((p) => p.alias !== undefined && p.region === region);
  if (existing) return existing;

  const base = providers.find((p) => p.alias === undefined);
  const config: AwsProviderConfig = { region, alias: region };
  if (base) {
    for (const k of INHERITED) {
      const v = (base as unknown as Record<string, unknown>)[k];
      if (v !== undefined) (config as Record<string, unknown>)[k] = v;
    }
  }
  return new AwsProvider(stack, `aws-${region}`, config);
}
