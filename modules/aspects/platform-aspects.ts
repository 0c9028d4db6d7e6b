import { Aspects, type TerraformStack } from "cdktf";
import { Platform } from "../platform/platform";
import { DefaultTagsAspect } from "./default-tags";
import { EncryptionAtRestAspect } from "./encryption-at-rest";
import { LogRetentionAspect } from "./log-retention";
import { PolicyChecksAspect } from "./policy-checks";
import { S3GuardrailsAspect } from "./s3-guardrails";

/**
 * Applies the cross-cutting policy once, on the stack: tags, log retention, encryption at rest, S3
 * guardrails, then the checks that fail synth. Call it after creating the stack's Platform (the
 * aspects run at synth, so constructs added later are covered too).
 */
export function applyPlatformAspects(stack: TerraformStack): void {
  const platform = Platform.of(stack);
  const aspects = Aspects.of(stack);
  aspects.add(new DefaultTagsAspect(platform.tags));
  aspects.add(new LogRetentionAspect());
  aspects.add(new EncryptionAtRestAspect());
  aspects.add(new S3GuardrailsAspect());
  // Last, so it also sees what the other aspects added (the policy documents of new bucket policies).
  aspects.add(new PolicyChecksAspect());
}
