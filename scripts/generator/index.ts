/** Synthetic AWS Organization CloudTrail generator (for the demo, tests and benchmarks). */
export { generateOrganization, type GenerateOptions, type GenerateProgress } from "./generate";
export { readManifest, MANIFEST_FILE, type Manifest, type ManifestAttack, type ManifestNewBehaviour, type ManifestLateFile } from "./manifest";
export { defaultAccounts, makeOrganization, DEFAULT_REGIONS, type AccountSpec, type AccountKind, type Organization } from "./organization";
export type { Layout } from "./writer";
export { Rng } from "./random";
