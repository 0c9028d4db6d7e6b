import { Token, type IAspect } from "cdktf";
import type { IConstruct } from "constructs";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { Platform } from "../platform/platform";

/**
 * Every log group gets the platform retention when it has none (or 0, "never expire") and the
 * platform KMS key of its region when it has no key. An explicit retention is kept.
 */
export class LogRetentionAspect implements IAspect {
  visit(node: IConstruct): void {
    if (!(node instanceof CloudwatchLogGroup)) return;
    const platform = Platform.of(node);
    const days = node.retentionInDaysInput;
    if (days === undefined || (!Token.isUnresolved(days) && days === 0)) node.retentionInDays = platform.logRetentionDays;
    if (node.kmsKeyIdInput === undefined) node.kmsKeyId = platform.keyFor(node.provider).arn;
  }
}
