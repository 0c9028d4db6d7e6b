/** The Terraform test helper fails loudly, never skips, when its tools are missing. */
describe("planStack's tool check", () => {
  it("names the missing terraform binary and provider mirror and how to fix each", () => {
    // Prepare
    const saved = { ...process.env };
    process.env.TRAILWATCH_TF_PLUGINS = "/nonexistent/tf-plugins";
    process.env.TRAILWATCH_TERRAFORM = "/nonexistent/terraform";
    try {
      jest.isolateModules(() => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const { assertTerraformAvailable } = require("../support/terraform") as typeof import("../support/terraform");
        // Act / Assess
        expect(() => assertTerraformAvailable()).toThrow(
          "Cannot run Terraform tests:\n" +
            "- no hashicorp/aws provider mirror at /nonexistent/tf-plugins (set TRAILWATCH_TF_PLUGINS, or create one with `terraform providers mirror /nonexistent/tf-plugins` on a machine with internet, provider 5.100.0)\n" +
            "- no `/nonexistent/terraform` binary on PATH (install Terraform >= 1.5, or set TRAILWATCH_TERRAFORM)",
        );
      });
    } finally {
      process.env = saved;
    }
  });

  it("passes on this machine, where the whole-stack tests run", () => {
    // Act / Assess
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { assertTerraformAvailable } = require("../support/terraform") as typeof import("../support/terraform");
      expect(() => assertTerraformAvailable()).not.toThrow();
    });
  });
});
