import type { IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";

/**
 * Tags every taggable resource through the AWS providers' `default_tags` (every provider of the
 * stack, aliased ones included).
 *
 * Why provider default tags rather than a per-resource aspect: the provider knows which of its
 * ~1,300 resource types accept tags (a resource aspect would need that list and miss new types),
 * the tags land in `tags_all` so Terraform shows no drift, and a resource's own tags still win.
 * Tags the provider already has win over these (an operator's choice is kept).
 */
export class DefaultTagsAspect implements IAspect {
  constructor(private readonly tags: Record<string, string>) {}

  visit(node: IConstruct): void {
    if (!(node instanceof AwsProvider) || Object.keys(this.tags).length === 0) return;
    const current = node.defaultTags;
    const existing = Array.isArray(current) ? (current[0]?.tags ?? {}) : {};
    node.defaultTags = [{ tags: { ...this.tags, ...existing } }];
  }
}
