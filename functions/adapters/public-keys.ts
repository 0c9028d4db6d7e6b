import { readFile } from "node:fs/promises";
import type { PublicKeyInfo } from "../core/integrity/digest";
import type { PublicKeySource } from "../core/integrity/verify";

/**
 * ListPublicKeys' `Value` is DER (PKCS #1) bytes; the AWS CLI prints it base64-encoded. Bytes that
 * are all base64 text are taken as such a copy and decoded, so both forms load.
 */
export function derOf(value: Uint8Array | string): Uint8Array {
  if (typeof value === "string") return Buffer.from(value.trim(), "base64");
  const text = Buffer.from(value).toString("latin1");
  return /^[A-Za-z0-9+/=\s]+$/.test(text) && text.trim().length > 0 ? Buffer.from(text.trim(), "base64") : value;
}

function date(v: unknown): Date | undefined {
  if (v === undefined || v === null || v === "") return undefined;
  const d = typeof v === "number" ? new Date(v * 1000) : typeof v === "string" && /^\d+(\.\d+)?$/.test(v) ? new Date(Number(v) * 1000) : new Date(String(v));
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Reads keys saved from `aws cloudtrail list-public-keys` (`{"PublicKeyList": [...]}`), several files allowed. */
export class PublicKeyFiles implements PublicKeySource {
  private loaded?: Promise<PublicKeyInfo[]>;

  constructor(private readonly files: readonly string[]) {}

  keys(): Promise<PublicKeyInfo[]> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  private async load(): Promise<PublicKeyInfo[]> {
    const out: PublicKeyInfo[] = [];
    for (const f of this.files) {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(f, "utf8"));
      } catch (e) {
        throw new Error(`${f}: cannot read a public key list (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      const o = json as Record<string, unknown>;
      const list = o?.PublicKeyList ?? o?.publicKeyList;
      if (!Array.isArray(list)) throw new Error(`${f}: expected the output of aws cloudtrail list-public-keys ({"PublicKeyList": [...]})`);
      for (const [i, k] of list.entries()) {
        const e = k as Record<string, unknown>;
        if (typeof e?.Fingerprint !== "string" || typeof e?.Value !== "string") throw new Error(`${f}: PublicKeyList[${i}] needs a Fingerprint and a base64 Value`);
        out.push({ fingerprint: e.Fingerprint, der: derOf(e.Value), ...optionalDates(e.ValidityStartTime, e.ValidityEndTime) });
      }
    }
    return out;
  }
}

export function optionalDates(start: unknown, end: unknown): { validFrom?: Date; validTo?: Date } {
  const validFrom = date(start);
  const validTo = date(end);
  return { ...(validFrom ? { validFrom } : {}), ...(validTo ? { validTo } : {}) };
}
