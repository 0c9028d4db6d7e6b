import type { TerraformStack } from "cdktf";
import { stateTable } from "../../../modules/platform";
import { resourcesOf } from "./synth-resources";

const KEY = "arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab";

/** The DynamoDB tables of a stack built by `build`, by Terraform logical id. */
const tablesOf = (build: (stack: TerraformStack) => void) => resourcesOf("aws_dynamodb_table", build);

describe("stateTable", () => {
  it("is on demand, keyed by pk, expires items by expiresAt and is encrypted with the given key; leaves recovery and protection unset unless asked", () => {
    const tables = tablesOf((s) => {
      stateTable(s, "state", { name: "tw-state", kmsKeyArn: KEY });
    });
    expect(tables.state).toEqual({
      name: "tw-state",
      billing_mode: "PAY_PER_REQUEST",
      hash_key: "pk",
      attribute: [{ name: "pk", type: "S" }],
      ttl: { attribute_name: "expiresAt", enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: KEY },
    });
  });

  it("adds the sort key sk, point-in-time recovery and deletion protection when asked", () => {
    const tables = tablesOf((s) => {
      stateTable(s, "baseline", { name: "tw-baseline", kmsKeyArn: KEY, sortKey: true, pointInTimeRecovery: false, deletionProtectionEnabled: true });
    });
    expect(tables.baseline).toMatchObject({
      hash_key: "pk",
      range_key: "sk",
      attribute: [{ name: "pk", type: "S" }, { name: "sk", type: "S" }],
      point_in_time_recovery: { enabled: false },
      deletion_protection_enabled: true,
    });
  });
});
