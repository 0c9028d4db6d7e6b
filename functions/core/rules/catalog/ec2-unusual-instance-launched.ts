import * as z from "../../zod";
import type { CloudTrailRecord } from "../../record/schema";
import { defineRule } from "../rule";
import { accountOfRecord, actor, asList, dig, firstMatchingPattern, hourOf, patternListSchema } from "../helpers";
import { calledByAwsService } from "../caller";

/** GPU and accelerator families, the memory giants and the largest sizes: what crypto-miners and LLM-jackers launch. */
export const DEFAULT_UNUSUAL_TYPES = [
  "^(p|g|gr|inf|trn|dl|f|vt)\\d",
  "^(x\\d|u-|hpc\\d)",
  "\\.metal(-\\d+xl)?$",
  "\\.(24|32|48|56|96|112|224)xlarge$",
];

const settingsSchema = z.strictObject({
  /** Case-insensitive regular expressions on the instance type (e.g. "^p\\d" for the P families). */
  unusualInstanceTypes: patternListSchema(),
  /** Exact instance types your teams use on purpose (e.g. "g5.xlarge" for an ML team): never reported. */
  allowedInstanceTypes: z.array(z.string().check(z.minLength(1))),
});
type Settings = z.infer<typeof settingsSchema>;

/** A type written as a string or as `{ value: "p2.xlarge" }`. */
function typeValue(v: unknown): string | undefined {
  if (typeof v === "string" && v) return v;
  const inner = dig(v, "value");
  return typeof inner === "string" && inner ? inner : undefined;
}

/** Instance types the call asked for or launched (request first, then each launched instance). */
export function launchedTypes(r: CloudTrailRecord): string[] {
  const types = new Set<string>();
  const requested = typeValue(dig(r.requestParameters, "instanceType"));
  if (requested) types.add(requested);
  for (const item of asList(dig(r.responseElements, "instancesSet"))) {
    const t = typeValue(dig(item, "instanceType"));
    if (t) types.add(t);
  }
  return [...types];
}

interface Launch {
  types: string[];
  count: number;
}

function unusual(r: CloudTrailRecord, s: Settings): Launch | undefined {
  const types = launchedTypes(r).filter((t) => !s.allowedInstanceTypes.includes(t) && firstMatchingPattern(s.unusualInstanceTypes, t));
  if (types.length === 0) return undefined;
  const launched = asList(dig(r.responseElements, "instancesSet")).length;
  const asked = Number(dig(asList(dig(r.requestParameters, "instancesSet"))[0], "maxCount") ?? 0);
  return { types, count: launched || (Number.isFinite(asked) ? asked : 0) };
}

/**
 * RunInstances of an instance type nobody launches by accident: GPU and accelerator families, the
 * largest and bare-metal sizes (Stratus "ec2-launch-unusual-instances": crypto-mining, model hosting
 * on stolen accounts). Attempts that failed count too, since they are how a stolen key is tried.
 * Launches made by an AWS service (Auto Scaling, EC2 Fleet, EKS node groups) are low: their type was
 * chosen in a launch template that a person approved.
 */
export default defineRule<Settings, Launch>({
  id: "ec2.unusual-instance-launched",
  title: "Unusual EC2 instance type launched",
  severity: "medium",
  status: "experimental",
  description:
    "GPU, accelerator, bare-metal or very large instances were launched or attempted: what stolen keys are used for (crypto-mining, running models).",
  eventSources: ["ec2.amazonaws.com"],
  eventNames: ["RunInstances"],
  includeFailedCalls: true,
  match: (r, { settings }) => unusual(r, settings),
  severityFor: (r) => (calledByAwsService(r) ? "low" : "medium"),
  summary: (r, { principal }, m) =>
    `${actor(principal)} ${r.errorCode ? `tried to launch (${r.errorCode})` : "launched"} ${m.count > 1 ? `${m.count} instances` : "an instance"} of type ${m.types.join(", ")} in account ${accountOfRecord(r)} (${r.awsRegion ?? "unknown region"})`,
  dedupKey: (r, { principal }, m) => `${principal.id}|${accountOfRecord(r)}|${r.awsRegion ?? ""}|${m.types.join(",")}|${hourOf(r)}`,
  context: (r, _c, m) => ({
    instanceTypes: m.types,
    count: m.count,
    succeeded: !r.errorCode,
    instanceIds: asList(dig(r.responseElements, "instancesSet")).map((i) => dig(i, "instanceId")).filter((x) => typeof x === "string"),
    launchedByService: calledByAwsService(r),
  }),
  falsePositives: [
    "ML, rendering or HPC teams (list their types in allowedInstanceTypes); their Auto Scaling groups (low).",
  ],
  runbook: {
    triage: [
      "Does the team run this type? Check earlier launches and owner tags.",
      "Who launched, from where, in which region? For a service launch, who changed its launch template?",
    ],
    contain: [
      "Terminate unplanned instances (snapshot first for evidence) and revoke the credentials; check every region.",
      "Restrict instance types with an SCP (ec2:InstanceType).",
    ],
  },
  references: {
    mitre: ["T1496.001", "T1578.002"],
    stratus: ["aws.execution.ec2-launch-unusual-instances"],
    panther: ["AWS.EC2.LaunchUnusualEC2Instances"],
    urls: ["https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RunInstances.html"],
  },
  settings: { schema: settingsSchema, defaults: { unusualInstanceTypes: DEFAULT_UNUSUAL_TYPES, allowedInstanceTypes: [] } },
});
