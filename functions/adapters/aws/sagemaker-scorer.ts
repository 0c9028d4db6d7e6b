import { InvokeEndpointCommand, type SageMakerRuntimeClient } from "@aws-sdk/client-sagemaker-runtime";
import { csvField } from "../../core/formats/csv-cell";
import type { PairCount } from "../../core/scoring/pair";
import { checkScores, ScorerOutputError, type PairScore, type Scorer } from "../../core/scoring/scorer";
import { classifyAwsError } from "./transient-error";

/** Pair fields a model can be given, as CSV columns in the order configured. */
export const SAGEMAKER_COLUMNS = ["principal", "principalType", "eventSource", "eventName", "count"] as const;
export type SageMakerColumn = (typeof SAGEMAKER_COLUMNS)[number];

export interface SageMakerScorerOptions {
  endpointName: string;
  /** Columns of each CSV row, default `principal,eventName,count`. */
  columns?: readonly SageMakerColumn[];
  /** Rows per InvokeEndpoint request. Default 500. */
  maxRowsPerRequest?: number;
  /** Bytes per request body; InvokeEndpoint accepts at most 6 MB. Default 5 MB. */
  maxBytesPerRequest?: number;
  /** Requests in flight at once. Default 2. */
  concurrency?: number;
  /** The response type asked for. Default `application/json`. */
  accept?: string;
}

const MAX_PAYLOAD = 6 * 1024 * 1024;

/**
 * Scores pairs with a SageMaker real-time endpoint: rows of CSV (`text/csv`, no header) in batches,
 * one score per row back. Understands the usual response shapes: a JSON array of numbers (or of
 * one-element arrays), `{"predictions": [...]}` or `{"scores": [...]}` with numbers or objects
 * holding `score`, and plain text with one number per line or comma-separated.
 */
export class SageMakerScorer implements Scorer {
  readonly name: string;
  private readonly columns: readonly SageMakerColumn[];
  private readonly maxRows: number;
  private readonly maxBytes: number;
  private readonly concurrency: number;

  constructor(
    private readonly client: SageMakerRuntimeClient,
    private readonly opts: SageMakerScorerOptions,
  ) {
    this.name = `sagemaker:${opts.endpointName}`;
    this.columns = opts.columns ?? ["principal", "eventName", "count"];
    this.maxRows = Math.max(1, opts.maxRowsPerRequest ?? 500);
    this.maxBytes = Math.min(MAX_PAYLOAD, opts.maxBytesPerRequest ?? 5 * 1024 * 1024);
    this.concurrency = Math.max(1, opts.concurrency ?? 2);
  }

  /** The CSV row the model receives for a pair. */
  row(p: PairCount): string {
    return this.columns.map((c) => csvField(p[c])).join(",");
  }

  /** Splits rows into request bodies within the row and byte limits. */
  batches(pairs: readonly PairCount[]): { start: number; body: string; rows: number }[] {
    const out: { start: number; body: string; rows: number }[] = [];
    let lines: string[] = [];
    let bytes = 0;
    let start = 0;
    pairs.forEach((p, i) => {
      const line = this.row(p);
      const size = Buffer.byteLength(line) + 1;
      if (size > this.maxBytes) throw new ScorerOutputError(`the row for ${p.principal} ${p.eventName} is ${size} bytes, more than one request may carry (${this.maxBytes})`);
      if (lines.length > 0 && (lines.length >= this.maxRows || bytes + size > this.maxBytes)) {
        out.push({ start, body: lines.join("\n") + "\n", rows: lines.length });
        lines = [];
        bytes = 0;
        start = i;
      }
      lines.push(line);
      bytes += size;
    });
    if (lines.length > 0) out.push({ start, body: lines.join("\n") + "\n", rows: lines.length });
    return out;
  }

  async score(pairs: readonly PairCount[]): Promise<PairScore[]> {
    const batches = this.batches(pairs);
    const results: number[][] = new Array<number[]>(batches.length);
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const i = next++;
        results[i] = await this.invoke(batches[i]!, i, batches.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, batches.length) }, worker));
    const scores = results.flat().map((score) => ({ score }));
    checkScores(scores, pairs, this.name);
    return scores;
  }

  private async invoke(batch: { body: string; rows: number }, index: number, of: number): Promise<number[]> {
    let res;
    try {
      res = await this.client.send(new InvokeEndpointCommand({
        EndpointName: this.opts.endpointName,
        ContentType: "text/csv",
        Accept: this.opts.accept ?? "application/json",
        Body: new TextEncoder().encode(batch.body),
      }));
    } catch (e) {
      throw classifyAwsError(e, `SageMaker endpoint ${this.opts.endpointName}, request ${index + 1} of ${of} (${batch.rows} rows)`);
    }
    const text = new TextDecoder().decode(res.Body ?? new Uint8Array());
    const scores = parseScoresResponse(text, `SageMaker endpoint ${this.opts.endpointName} (request ${index + 1} of ${of})`);
    if (scores.length !== batch.rows) {
      throw new ScorerOutputError(`SageMaker endpoint ${this.opts.endpointName} returned ${scores.length} scores for the ${batch.rows} rows of request ${index + 1} of ${of}`);
    }
    return scores;
  }
}

function toNumber(v: unknown, where: string, i: number): number {
  let x = v;
  if (Array.isArray(x) && x.length === 1) x = x[0];
  if (x && typeof x === "object" && !Array.isArray(x)) {
    const o = x as Record<string, unknown>;
    x = o.score ?? o.prediction ?? o.predicted_value ?? o.predicted_label;
  }
  if (typeof x === "string" && x.trim() !== "") x = Number(x);
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new ScorerOutputError(`${where}: prediction ${i + 1} is ${JSON.stringify(v)}, not a number`);
  }
  return x;
}

/** Parses a model's response body into one number per row. */
export function parseScoresResponse(text: string, where: string): number[] {
  const trimmed = text.trim();
  if (trimmed === "") throw new ScorerOutputError(`${where}: empty response`);
  if (trimmed.startsWith("[") || trimmed.startsWith("{")) {
    let json: unknown;
    try {
      json = JSON.parse(trimmed);
    } catch (e) {
      throw new ScorerOutputError(`${where}: response is not valid JSON (${(e as Error).message}): ${trimmed.slice(0, 200)}`);
    }
    const list = Array.isArray(json) ? json : (json as Record<string, unknown>).predictions ?? (json as Record<string, unknown>).scores;
    if (!Array.isArray(list)) throw new ScorerOutputError(`${where}: expected a JSON array, or an object with "predictions" or "scores"; got ${trimmed.slice(0, 200)}`);
    return list.map((v, i) => toNumber(v, where, i));
  }
  const values = trimmed.includes("\n") ? trimmed.split(/\r?\n/).map((l) => l.split(",")[0]!) : trimmed.split(",");
  return values.map((v, i) => toNumber(v.trim(), where, i));
}
