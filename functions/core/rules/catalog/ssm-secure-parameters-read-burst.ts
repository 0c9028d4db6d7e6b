import { accountOfRecord, actor, asBool, stringList } from "../helpers";
import { rawActor, rawObjectField } from "../raw-principal";
import { burstSpan, defineThresholdRule, listValues, thresholdSettings } from "../threshold-rule";

/**
 * One principal decrypting many different SSM parameters within minutes (Stratus
 * "ssm-retrieve-securestring-parameters"). Only reads with decryption count: `withDecryption` is what
 * turns a SecureString into its plain value. A GetParametersByPath counts once, as its path (CloudTrail
 * does not say which parameters it returned), with a recursive read of the root as a strong signal.
 * Services decrypt parameters all day, so the rule reads records raw and validates the one that alerts.
 */
export default defineThresholdRule({
  kind: "threshold",
  id: "ssm.secure-parameters-read-burst",
  title: "Many SecureString parameters decrypted in minutes",
  severity: "high",
  description:
    "One principal read many different SSM parameters with decryption within a few minutes. Services read their own handful of parameters; decrypting many different ones is what someone harvesting credentials does.",
  eventSources: ["ssm.amazonaws.com"],
  eventNames: ["GetParameter", "GetParameters", "GetParametersByPath"],
  count: "distinct",
  // What observeRaw reads: a scan gives it these fields without parsing the record.
  rawFields: ["errorCode", "requestParameters", "userIdentity"],
  observeRaw: (raw) => {
    if (raw.errorCode !== undefined && raw.errorCode !== null) return undefined;
    const params = rawObjectField(raw.requestParameters);
    if (asBool(params.withDecryption) !== true) return undefined;
    const a = rawActor(raw);
    if (!a) return undefined;
    if (raw.eventName === "GetParameter") return typeof params.name === "string" ? { group: a.key, value: params.name } : undefined;
    if (raw.eventName === "GetParameters") return { group: a.key, value: stringList(params.names) };
    const path = typeof params.path === "string" ? params.path : "/";
    return { group: a.key, value: `${path}${asBool(params.recursive) ? " (recursive)" : ""}` };
  },
  summary: (b) =>
    `${actor(b.principal)} decrypted ${b.count} different SSM parameters ${burstSpan(b)} (${listValues(b)}) in account ${accountOfRecord(b.record)}`,
  status: "stable",
  falsePositives: [
    "A service that loads a large configuration tree parameter by parameter at start-up (prefer GetParametersByPath, which counts once, or add the role to `ignorePrincipals`).",
    "Infrastructure-as-code runs that resolve many SecureString references (`ssm-secure` dynamic references are resolved by CloudFormation and carry `invokedBy`, which is not counted).",
  ],
  runbook: {
    triage: [
      "Who is the principal and does it own these parameters? Compare the parameter paths (context.values) with the application the role belongs to.",
      "Check the source IP and user agent: an SDK on an instance or task of that application, or a CLI from somewhere else?",
    ],
    contain: [
      "If not expected: revoke the principal's session or keys, then rotate the values of the parameters that were decrypted (and the secrets they grant access to).",
      "Narrow the role's `ssm:GetParameter*` and `kms:Decrypt` permissions to the paths and keys the application needs.",
    ],
  },
  references: {
    mitre: ["T1555.006"],
    stratus: ["aws.credential-access.ssm-retrieve-securestring-parameters"],
    panther: ["AWS.SSM.DecryptSSMParams"],
    urls: ["https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-cloudtrail-logs.html"],
  },
  settings: thresholdSettings({ threshold: 20, windowMinutes: 10, dedupMinutes: 60 }),
});
