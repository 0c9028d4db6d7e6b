/**
 * The orgAnomaly section of the deployment config: validated by infra/config with what it inherits
 * from the top level, and deployed by the whole stack (synth only; the module's plan test runs Terraform).
 */
import { readFileSync } from "node:fs";
import { Testing } from "cdktf";
import { DEFAULT_CONFIG } from "../../../infra/config/load";
import { validateDeploymentConfig } from "../../../infra/config/schema";
import { TrailwatchStack } from "../../../infra/stacks/trailwatch-stack";

jest.mock("../../../modules/lambda-function/bundle", () => jest.requireActual("../trail-guard/synth-support").fakeBundler());

const example = () => JSON.parse(readFileSync(DEFAULT_CONFIG, "utf8")) as Record<string, unknown>;
const section = { enabled: true, units: [{ name: "payments", organizationalUnits: ["ou-ab12-11111111"] }, { name: "retail", tag: { key: "bu", values: ["retail"] } }] };

describe("the orgAnomaly section of the deployment config", () => {
  it("inherits the trail's bucket, layout, key and the management account from the top level", () => {
    const res = validateDeploymentConfig({ ...example(), orgAnomaly: section });
    if (!res.ok) throw new Error(JSON.stringify(res.issues));
    expect(res.config.orgAnomaly).toMatchObject({
      enabled: true, bucketName: "acme-org-cloudtrail-222233334444", layout: { type: "organization", organizationId: "o-a1b2c3d4e5" },
      logKmsKeyArn: "arn:aws:kms:eu-west-1:222233334444:key/6f1c2a4e-8d3b-4b1a-9c55-0e7d2f1a3b4c", managementAccountId: "111122223333",
    });
  });

  it("reports the section's problems with their full path", () => {
    const res = validateDeploymentConfig({ ...example(), orgAnomaly: { enabled: true, units: [] } });
    expect(res.ok ? [] : res.issues.map((i) => `${i.path.join(".")}: ${i.message}`)).toContain("orgAnomaly.units: give at least one business unit");
  });

  it("is deployed by the stack when enabled, and not at all when disabled", () => {
    const on = validateDeploymentConfig({ ...example(), orgAnomaly: section });
    const off = validateDeploymentConfig({ ...example(), orgAnomaly: { enabled: false } });
    if (!on.ok || !off.ok) throw new Error("config should be valid");
    const names = (cfg: typeof on.config) => {
      const stack = new TrailwatchStack(Testing.app(), cfg);
      const tf = JSON.parse(Testing.synth(stack)) as { resource: Record<string, Record<string, { function_name?: string }>> };
      // The aspects' policy checks annotate errors instead of throwing: none may be raised.
      const errors = stack.node.findAll().flatMap((c) => c.node.metadata.filter((md) => md.type === "@cdktf/error").map((md) => String(md.data)));
      expect(errors).toEqual([]);
      return Object.values(tf.resource.aws_lambda_function ?? {}).map((f) => f.function_name);
    };
    expect(names(on.config)).toEqual(expect.arrayContaining(["trailwatch-anomaly-muster", "trailwatch-anomaly-discernment"]));
    expect(names(off.config)).not.toContain("trailwatch-anomaly-muster");
  });
});
