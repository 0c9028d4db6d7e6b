import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { getObjectText } from "./s3-day-reader";
import { classifyAwsError } from "./transient-error";

/**
 * Reads what a Distributed Map's `ResultWriter` wrote: under its prefix, one folder per map run with
 * `manifest.json` (`{"DestinationBucket", "MapRunArn", "ResultFiles": {"SUCCEEDED": [{"Key", "Size"}],
 * "FAILED": [...], "PENDING": [...]}}`) and the result files it names, each a JSON array of child
 * executions (`Name`, `ExecutionArn`, `Status`, `Input` and `Output` as JSON text, and for failures
 * `Error` and `Cause`).
 */

/** One child execution as a result file lists it. */
export interface ChildExecution {
  status: "SUCCEEDED" | "FAILED" | "PENDING";
  name: string;
  /** The child's input, parsed (for a batch: `{"BatchInput": ..., "Items": [...]}`); undefined when absent or not JSON. */
  input: unknown;
  /** The child's output, parsed; undefined when absent or not JSON. */
  output: unknown;
  error?: string;
  cause?: string;
}

/** What a reader found: the map runs' manifests and every child execution, or why nothing could be read. */
export interface MapRunResults {
  manifests: string[];
  children: ChildExecution[];
  /** Result files named by a manifest that could not be read or parsed, with why. */
  problems: string[];
}

interface ManifestFile {
  ResultFiles?: Partial<Record<"SUCCEEDED" | "FAILED" | "PENDING", { Key?: string }[]>>;
}

const STATUSES = ["SUCCEEDED", "FAILED", "PENDING"] as const;

function parseJson(text: unknown): unknown {
  if (typeof text !== "string") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Every `manifest.json` under `prefix` (one per map run), oldest key order. */
async function findManifests(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let token: string | undefined;
  do {
    let page;
    try {
      page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    } catch (e) {
      throw classifyAwsError(e, `listing s3://${bucket}/${prefix}`);
    }
    for (const o of page.Contents ?? []) if (o.Key?.endsWith("/manifest.json")) out.push(o.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/**
 * Reads every map run's results under `prefix`. A child named in several result files (a redriven
 * map run) counts once, with its latest state: SUCCEEDED over FAILED over PENDING.
 */
export async function readMapRunResults(s3: S3Client, bucket: string, prefix: string): Promise<MapRunResults> {
  const manifests = await findManifests(s3, bucket, prefix.endsWith("/") ? prefix : `${prefix}/`);
  const byName = new Map<string, ChildExecution>();
  const problems: string[] = [];
  const rank = { PENDING: 0, FAILED: 1, SUCCEEDED: 2 } as const;
  let unnamed = 0;
  for (const key of manifests) {
    const manifest = parseJson(await getObjectText(s3, bucket, key)) as ManifestFile | undefined;
    if (!manifest || typeof manifest !== "object") {
      problems.push(`s3://${bucket}/${key}: not a ResultWriter manifest (not JSON)`);
      continue;
    }
    for (const status of STATUSES) {
      for (const file of manifest.ResultFiles?.[status] ?? []) {
        if (!file?.Key) continue;
        const entries = parseJson(await getObjectText(s3, bucket, file.Key));
        if (!Array.isArray(entries)) {
          problems.push(`s3://${bucket}/${file.Key}: missing or not a JSON array of child executions`);
          continue;
        }
        for (const e of entries as Record<string, unknown>[]) {
          if (!e || typeof e !== "object") continue;
          const name = typeof e.Name === "string" ? e.Name : typeof e.ExecutionArn === "string" ? e.ExecutionArn : `unnamed-${unnamed++}`;
          const child: ChildExecution = {
            status,
            name,
            input: parseJson(e.Input),
            output: parseJson(e.Output),
            ...(typeof e.Error === "string" ? { error: e.Error } : {}),
            ...(typeof e.Cause === "string" ? { cause: e.Cause } : {}),
          };
          const seen = byName.get(name);
          if (!seen || rank[status] >= rank[seen.status]) byName.set(name, child);
        }
      }
    }
  }
  return { manifests, children: [...byName.values()], problems };
}
