import { Testing, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

/** The resources of one Terraform type in a stack built by `build`, by logical id. */
export function resourcesOf(type: string, build: (stack: TerraformStack) => void): Record<string, any> {
  const stack = new TerraformStack(Testing.app(), "s");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  build(stack);
  return JSON.parse(Testing.synth(stack)).resource[type];
}
