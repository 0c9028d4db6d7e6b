/** Where a value is in a config: keys and list positions from the top. */
export type ConfigPath = readonly (string | number)[];

/**
 * A path as people write it: `a.b[0].c`, with keys that are not identifiers quoted
 * (`rules["iam.admin-policy-attached"].suppressions[2].cidr`), `(top level)` for the root.
 */
export function formatPath(path: ConfigPath): string {
  if (path.length === 0) return "(top level)";
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : /^[A-Za-z_$][\w$]*$/.test(p) ? (i === 0 ? p : `.${p}`) : `["${p}"]`)).join("");
}

/** One problem in a config section: where and what. */
export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}
