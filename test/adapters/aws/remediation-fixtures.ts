import { CloudTrailClient } from "@aws-sdk/client-cloudtrail";
import { EC2Client } from "@aws-sdk/client-ec2";
import { IAMClient } from "@aws-sdk/client-iam";
import { S3Client } from "@aws-sdk/client-s3";
import * as z from "zod"; // namespace import: lets esbuild drop what is unused (the named `z` pulls in all of zod, ~450 KB)
import type { RemediationClients } from "../../../functions/adapters/aws/remediation";
import { RuleEngine, type Finding } from "../../../functions/core/rules/engine";
import { defineRule, type RemediationId } from "../../../functions/core/rules/rule";

const creds = { accessKeyId: "TEST", secretAccessKey: "TEST" };

/** Real SDK clients (their `send` is replaced by aws-sdk-client-mock in the tests); records the regions asked for. */
export function testClients(): RemediationClients & { regions: string[] } {
  const regions: string[] = [];
  return {
    regions,
    cloudTrail: (region) => (regions.push(`cloudtrail:${region}`), new CloudTrailClient({ region, credentials: creds })),
    iam: () => (regions.push("iam"), new IAMClient({ region: "us-east-1", credentials: creds })),
    s3: (region) => (regions.push(`s3:${region}`), new S3Client({ region, credentials: creds })),
    ec2: (region) => (regions.push(`ec2:${region}`), new EC2Client({ region, credentials: creds })),
  };
}

/**
 * The finding the rule engine makes for `record` under a rule that matches it and carries
 * `remediation` (a test rule, so these tests do not depend on the catalog's matching logic).
 */
export function findingFor(record: Record<string, unknown>, remediation: RemediationId, settings?: { allowedPorts: number[] }): Finding {
  const rule = defineRule<{ allowedPorts: number[] }>({
    id: "test.remediable",
    title: "test",
    severity: "high",
    description: "matches everything of its source",
    eventSources: [String(record.eventSource)],
    eventNames: "*",
    includeFailedCalls: true,
    match: () => true,
    summary: () => "test finding",
    remediation,
    references: {},
    settings: { schema: z.object({ allowedPorts: z.array(z.number()) }), defaults: { allowedPorts: [] } },
  });
  const engine = new RuleEngine([rule], settings ? { settings: { "test.remediable": settings } } : {});
  const ev = engine.evaluate(record as { eventSource: string; eventName: string });
  if (ev.kind !== "findings" || ev.findings.length !== 1) throw new Error(`no finding for ${String(record.eventName)}: ${JSON.stringify(ev)}`);
  return ev.findings[0]!;
}

/** An AWS SDK style service error. */
export function awsError(name: string, status: number, message = name): Error {
  return Object.assign(new Error(message), { name, $fault: status >= 500 ? "server" : "client", $metadata: { httpStatusCode: status } });
}
