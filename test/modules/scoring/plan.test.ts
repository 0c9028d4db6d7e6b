/**
 * The scoring module behind a real alert topic, through Terraform itself: the three handlers bundled
 * by esbuild, then init, validate and an offline plan. What synth and the JSON assertions cannot see
 * (interpolation in the state machine definition, attributes the provider rejects) fails here.
 */
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack } from "cdktf";
import { Alerting } from "../../../modules/alerting";
import { applyPlatformAspects } from "../../../modules/aspects";
import { Platform } from "../../../modules/platform";
import { Scoring, scoringSettingsSchema } from "../../../modules/scoring";
import { STATE } from "../../../modules/scoring/definition";
import { planStack, plannedResources, type TerraformRun } from "../../support/terraform";
import { ACCOUNT, HOME } from "../trail-guard/synth-support";

describe("a stack with the scoring state machine", () => {
  let run: TerraformRun;

  beforeAll(() => {
    run = planStack((app) => {
      const stack = new TerraformStack(app, "scoring");
      new AwsProvider(stack, "aws", { region: HOME });
      new Platform(stack, "platform", { namePrefix: "tw", account: ACCOUNT, region: HOME, logRetentionDays: 90, tags: { project: "trailwatch" } });
      applyPlatformAspects(stack);
      const alerting = new Alerting(stack, "alerting", { emails: ["soc@example.com"] });
      new Scoring(stack, "scoring", {
        ...scoringSettingsSchema.parse({
          enabled: true,
          cloudtrailBuckets: ["org-cloudtrail-logs"],
          layout: { type: "organization", organizationId: "o-a1b2c3d4e5" },
          logKmsKeyArn: `arn:aws:kms:${HOME}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
          schedules: [{ account: "444455556666", region: HOME }],
          logLevel: "ALL",
        }),
        alertTopicArn: alerting.topicArn,
      });
      return stack;
    });
  });

  it("is valid Terraform and plans offline", () => {
    const types = new Set(plannedResources(run.plan).map((r) => r.type));
    for (const t of ["aws_sfn_state_machine", "aws_lambda_function", "aws_s3_bucket_lifecycle_configuration", "aws_scheduler_schedule", "aws_cloudwatch_log_group", "aws_sqs_queue"]) expect(types).toContain(t);
  });

  it("plans the state machine with the definition whose tasks are the three planned functions", () => {
    const sm = run.plan.resource_changes.find((r) => r.type === "aws_sfn_state_machine")!;
    const config = run.plan.configuration.root_module.resources.find((r) => r.type === "aws_sfn_state_machine")!;
    // The function ARNs are unknown until apply: the definition is an expression over them.
    expect(sm.change.after_unknown?.definition).toBe(true);
    const refs = JSON.stringify((config.expressions as { definition: { references: string[] } }).definition.references);
    for (const fn of ["scoring_read_function", "scoring_score_function", "scoring_alert_function"]) expect(refs).toContain(fn);
    expect(run.synthesized.resource.aws_sfn_state_machine[Object.keys(run.synthesized.resource.aws_sfn_state_machine)[0]!].definition).toContain(STATE.readAll);
  });

  it("bundles the three real handlers", () => {
    const fns = plannedResources(run.plan).filter((r) => r.type === "aws_lambda_function").map((r) => r.values.function_name).sort();
    expect(fns).toEqual(expect.arrayContaining(["tw-scoring-alert", "tw-scoring-read", "tw-scoring-score"]));
  });
});
