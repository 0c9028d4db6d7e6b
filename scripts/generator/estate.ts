import type { AccountSpec, Organization } from "./organization";
import { Rng, stableHex } from "./random";

/**
 * The resources an account holds (buckets, functions, keys, secrets, networks), named the way a real
 * team names them and stable for a seed, so routine activity and attacks refer to the same things.
 */
export interface Estate {
  env: string;
  buckets: { artifacts: string; config: string; reports: string; exports: string };
  functions: string[];
  stacks: string[];
  cluster: string;
  ecsService: string;
  ecrRepos: string[];
  secrets: { name: string; arn: string }[];
  /** Customer managed KMS keys per region (key id and ARN), by alias. */
  keyId(region: string, alias: string): string;
  keyArn(region: string, alias: string): string;
  vpcId(region: string): string;
  securityGroups(region: string): { id: string; name: string }[];
  subnetIds(region: string): string[];
  instances(region: string): string[];
  detectorId(region: string): string;
  parameterNames: string[];
  /** A local (single-account) trail some accounts keep besides the organization trail. */
  localTrail: string;
}

const ENV: Record<AccountSpec["kind"], string> = {
  management: "mgmt", security: "security", production: "prod", development: "dev", sandbox: "sandbox",
};

function uuidFor(...parts: (string | number)[]): string {
  return new Rng("estate-uuid", ...parts).uuid();
}

/** Caches a per-region (or per-region-and-name) derivation: estate lookups sit on the hot path of generation. */
function memo<T>(f: (...k: string[]) => T): (...k: string[]) => T {
  const m = new Map<string, T>();
  return (...k) => {
    const key = k.join("|");
    let v = m.get(key);
    if (v === undefined) m.set(key, (v = f(...k)));
    return v;
  };
}

export function makeEstate(org: Organization, a: AccountSpec): Estate {
  const env = ENV[a.kind];
  const sfx = (s: string) => new Rng("secret-suffix", a.id, s).alnum(6);
  const secretNames = [`${env}/orders/db-credentials`, `${env}/payments/stripe-api-key`, `${env}/checkout/session-signing-key`];
  return {
    env,
    buckets: {
      artifacts: `corp-${env}-deploy-artifacts-${a.id}`,
      config: `corp-${env}-app-config`,
      reports: `corp-${env}-reports`,
      exports: `corp-${env}-customer-exports`,
    },
    functions: ["orders-api", "orders-worker", "payments-webhook", "invoice-renderer"],
    stacks: ["orders-service", "payments-service", "checkout-service", "shared-network"],
    cluster: `corp-${env}`,
    ecsService: "checkout",
    ecrRepos: ["orders-api", "checkout", "invoice-renderer"],
    secrets: secretNames.map((n) => ({ name: n, arn: `arn:aws:secretsmanager:${org.homeRegion}:${a.id}:secret:${n}-${sfx(n)}` })),
    keyId: memo((region, alias) => uuidFor(a.id, region, alias)),
    keyArn: memo((region, alias) => `arn:aws:kms:${region}:${a.id}:key/${uuidFor(a.id, region, alias)}`),
    vpcId: memo((region) => `vpc-0${stableHex(16, "vpc", a.id, region)}`),
    securityGroups: memo((region) =>
      ["app-alb", "app-tasks", "bastion", "rds-orders"].map((n) => ({ id: `sg-0${stableHex(16, "sg", a.id, region, n)}`, name: `${env}-${n}` }))),
    subnetIds: memo((region) => [0, 1, 2].map((i) => `subnet-0${stableHex(16, "subnet", a.id, region, i)}`)),
    instances: memo((region) => [0, 1, 2].map((i) => `i-0${stableHex(16, "instance", a.id, region, i)}`)),
    detectorId: memo((region) => stableHex(32, "detector", a.id, region)),
    parameterNames: [`/${env}/orders/api-base-url`, `/${env}/orders/db-password`, `/${env}/checkout/feature-flags`, `/${env}/payments/webhook-secret`],
    localTrail: `${env}-audit-trail`,
  };
}
