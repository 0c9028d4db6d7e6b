import type { Severity } from "../../alert/alert";
import type { Condition } from "./condition";

/** How a field's values are compared. */
export type SigmaOp = "equals" | "contains" | "startswith" | "endswith" | "re" | "cidr" | "exists";

/** One `field|modifiers: values` of a selection. */
export interface FieldTest {
  /** As written, e.g. `requestParameters.policyArn|contains|all`. */
  key: string;
  /** The dotted path split, e.g. `["requestParameters", "policyArn"]`. */
  path: string[];
  op: SigmaOp;
  /** Values (any of them, or all of them with `all`); `null` matches an absent or null field. */
  values: (string | number | boolean | null)[];
  all: boolean;
  /** `cased`: compare with regard to case (values are case-insensitive otherwise). */
  cased: boolean;
  /** Flags of `re` (`i`, `m`, `s` modifiers). */
  flags?: { i?: boolean; m?: boolean; s?: boolean };
}

/** A selection: any of its maps (a list of maps), each map being all of its field tests. */
export interface Selection {
  anyOf: FieldTest[][];
}

/**
 * A Sigma rule for CloudTrail, validated and compiled to plain data: what the deployed functions
 * embed (no YAML parser in a Lambda bundle) and what `sigmaRule` turns into a trailwatch rule.
 */
export interface SigmaSpec {
  /** The file it came from (name only), for messages. */
  file: string;
  /** trailwatch's id: `sigma.` and the file name (lower case, `_` as `-`), e.g. `sigma.aws-iam-backdoor-users-keys`. */
  id: string;
  /** Sigma's own id (a UUID), when given. */
  sigmaId?: string;
  title: string;
  description?: string;
  author?: string;
  license?: string;
  /** Sigma's status (stable, test, experimental, deprecated). */
  status?: string;
  severity: Severity;
  /** ATT&CK technique ids from `attack.tNNNN[.NNN]` tags. */
  mitre: string[];
  tags: string[];
  references: string[];
  falsePositives: string[];
  selections: Record<string, Selection>;
  condition: Condition;
  /** What the engine indexes the rule by: the event sources and names every match must have (`*`: any). */
  index: { eventSources: string[] | "*"; eventNames: string[] | "*" };
}
