import { gzipSync } from "node:zlib";
import { decodeLogBytes } from "../../functions/adapters/log-content";
import { READ_LIMITS, type ReadLimits } from "../../functions/core/record/limits";
import { attachAdmin, deflatedSpaces, describe as read, document, gzipBomb, stopLogging, zip, zipBomb } from "../support/hostile-input";

const names = (c: { records: Record<string, unknown>[] }) => c.records.map((r) => r.eventName);
const MiB = 2 ** 20;
/** The real limits, scaled down so each bound is crossed quickly. */
const small: ReadLimits = { ...READ_LIMITS, maxTextBytes: 1 * MiB, maxArchiveTextBytes: 2 * MiB, maxArchiveEntries: 50, maxStoredBytes: 1 * MiB };

describe("decodeLogBytes: gzip", () => {
  const gz = gzipSync(document([stopLogging(), read(), attachAdmin()]));

  it("keeps every inflated byte of a member with a bad CRC or length trailer, and says which", async () => {
    const crc = Buffer.from(gz);
    crc.writeUInt32LE(crc.readUInt32LE(crc.length - 8) ^ 1, crc.length - 8);
    const len = Buffer.from(gz);
    len.writeUInt32LE(7, len.length - 4);
    const a = await decodeLogBytes(crc, "crc.json.gz");
    const b = await decodeLogBytes(len, "len.json.gz");
    expect(names(a)).toEqual(["StopLogging", "DescribeInstances", "AttachUserPolicy"]);
    expect(a.error).toMatch(/^gzip data: CRC-32 check failed \(trailer [0-9a-f]{8}, data [0-9a-f]{8}\): the data may be altered; its \d+ bytes were kept$/);
    expect(names(b)).toHaveLength(3);
    expect(b.error).toMatch(/^gzip data: the length trailer says 7 bytes but \d+ inflated; they were kept$/);
  });

  it("reads the data before trailing junk and reports the junk; zero padding is not junk", async () => {
    const junk = await decodeLogBytes(Buffer.concat([gz, Buffer.from("<html>")]), "j.json.gz");
    expect(names(junk)).toHaveLength(3);
    expect(junk.error).toBe("6 byte(s) after the gzip data are not gzip (trailing junk, ignored)");
    const padded = await decodeLogBytes(Buffer.concat([gz, Buffer.alloc(512)]), "p.json.gz");
    expect(padded.error).toBeUndefined();
    expect(names(padded)).toHaveLength(3);
  });

  it("reads every member of a multi-member gzip, and a damaged second member does not lose the first", async () => {
    const two = await decodeLogBytes(Buffer.concat([gzipSync(document([stopLogging()])), gzipSync(document([attachAdmin()]))]), "two.json.gz");
    expect(names(two)).toEqual(["StopLogging", "AttachUserPolicy"]);
    expect(two.where).toEqual(["document 1 Records[0]", "document 2 Records[0]"]);
    const second = gzipSync(document([attachAdmin()]));
    const cut = await decodeLogBytes(Buffer.concat([gzipSync(document([stopLogging()])), second.subarray(0, second.length - 30)]), "cut.json.gz");
    expect(names(cut)).toEqual(["StopLogging"]);
    expect(cut.error).toMatch(/^gzip member 2 is truncated \(cut off after \d+ inflated bytes\)/);
  });

  it("stops a gzip bomb at the text limit while inflating, names the limit, and reads the records before it", async () => {
    // Prepare: 2 GiB of JSON whitespace behind a StopLogging record, about 2 MB compressed.
    const bomb = gzipBomb(2);
    expect(bomb.length).toBeLessThan(3 * MiB);

    // Act: with the real limits (128 MiB of text per file).
    const c = await decodeLogBytes(bomb, "bomb.json.gz");

    // Assess
    expect(c.error).toMatch(/^inflates to more than 128 MiB, the limit for one file; stopped there and read the first 128 MiB; invalid JSON: the file ends inside the Records array, between records \(truncated\); kept 1 complete record/);
    expect(names(c)).toEqual(["StopLogging"]);
    expect(c.bytes).toBe(128 * MiB);
  });

  it("says so when a .gz file is not gzip", async () => {
    expect((await decodeLogBytes(Buffer.from(document([stopLogging()])), "x.json.gz")).error).toMatch(/not gzip data/);
  });
});

describe("decodeLogBytes: text", () => {
  it("reads UTF-16 text with a byte order mark (both byte orders)", async () => {
    const text = document([stopLogging(), attachAdmin()]);
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(text, "utf16le").swap16()]);
    expect(names(await decodeLogBytes(le, "le.json"))).toEqual(["StopLogging", "AttachUserPolicy"]);
    expect(names(await decodeLogBytes(be, "be.json"))).toEqual(["StopLogging", "AttachUserPolicy"]);
  });

  it("reads at most the text limit of a plain file and says so", async () => {
    const big = Buffer.from(document([stopLogging(), ...Array.from({ length: 2000 }, (_, i) => read(i))]));
    expect(big.length).toBeGreaterThan(small.maxTextBytes);
    const c = await decodeLogBytes(big, "big.json", small);
    expect(c.error).toMatch(/^\d\.\d MiB of text is more than the 1 MiB limit for one file; read the first 1 MiB; invalid JSON: the file ends inside a record/);
    expect(names(c)[0]).toBe("StopLogging");
    expect(c.bytes).toBe(MiB);
  });
});

describe("decodeLogBytes: zip", () => {
  it("reads log entries, gzip inside zip and zip inside zip, labelling records with their entry", async () => {
    const inner = zip([{ name: "d/x.json.gz", data: gzipSync(document([attachAdmin()])) }]);
    const c = await decodeLogBytes(zip([{ name: "a.json", data: Buffer.from(document([stopLogging()])) }, { name: "in.zip", data: inner }, { name: "notes.txt", data: Buffer.from("hi") }]), "z.zip");
    expect(names(c)).toEqual(["StopLogging", "AttachUserPolicy"]);
    expect(c.where).toEqual(["a.json Records[0]", "in.zip d/x.json.gz Records[0]"]);
    expect(c.error).toBeUndefined();
  });

  it("does not open archives nested deeper than the limit (3 containers)", async () => {
    const gz = gzipSync(document([stopLogging()]));
    const three = zip([{ name: "b.zip", data: zip([{ name: "c.json.gz", data: gz }]) }]);
    const four = zip([{ name: "a.zip", data: zip([{ name: "b.zip", data: zip([{ name: "c.json.gz", data: gz }]) }]) }]);
    expect(names(await decodeLogBytes(three, "three.zip"))).toEqual(["StopLogging"]);
    const c = await decodeLogBytes(four, "four.zip");
    expect(c.records).toEqual([]);
    expect(c.error).toBe("a.zip: b.zip: c.json.gz: archives nested more than 3 deep (the limit); not opened");
  });

  it("stops a zip bomb at the archive's total text limit (entries each under the per-entry limit)", async () => {
    // Prepare: 40 entries of 64 MiB of spaces each (2.5 GiB inflated, about 2.6 MB zipped) after one real document.
    const bomb = zipBomb(40, 64);
    expect(bomb.length).toBeLessThan(3 * MiB);

    // Act: the real limits (128 MiB per entry, 256 MiB per archive).
    const c = await decodeLogBytes(bomb, "bomb.zip");

    // Assess
    expect(names(c)).toEqual(["StopLogging"]);
    expect(c.error).toContain("logs/4.json: the archive reached its 256 MiB text limit (the limit for one archive) in this entry; read its first 64 MiB");
    expect(c.error).toMatch(/the archive yielded 256 MiB of text \(the limit for one archive\); 36 more entries were not read, from logs\/5\.json$/);
    expect(c.bytes).toBeLessThanOrEqual(256 * MiB);
  });

  it("stops one oversized entry at the per-entry limit, and an archive with too many entries at the entry limit", async () => {
    const big = await decodeLogBytes(zip([{ name: "big.json", ...deflatedSpaces(3) }]), "big.zip", small);
    // (1 MiB of spaces is read, and is no JSON at all.)
    expect(big.error).toBe("big.json: inflates to more than 1 MiB; stopped there and read the first 1 MiB; empty file (no JSON content)");
    const entries = Array.from({ length: 80 }, (_, i) => ({ name: `f${i}.json`, data: Buffer.from(document([read(i)])) }));
    const many = await decodeLogBytes(zip(entries), "many.zip", small);
    expect(many.records).toHaveLength(50);
    expect(many.error).toBe("zip archive has more than 50 entries (the limit); 30 not read");
  });

  it("reads the first 10,000 entries of an archive with more (the real limit) and names the rest", async () => {
    const one = Buffer.from(document([read()]));
    const c = await decodeLogBytes(zip(Array.from({ length: 10_005 }, (_, i) => ({ name: `f${i}.json`, data: one }))), "many.zip");
    expect(c.records).toHaveLength(10_000);
    expect(c.error).toBe("zip archive has more than 10000 entries (the limit); 5 not read");
  });

  it("reads what the local headers hold when the central directory is cut off, and reports it", async () => {
    const whole = zip([{ name: "a.json", data: Buffer.from(document([stopLogging()])) }, { name: "b.json", data: Buffer.from(document([attachAdmin()])) }]);
    const c = await decodeLogBytes(whole.subarray(0, whole.length - 40), "cut.zip");
    expect(names(c)).toEqual(["StopLogging", "AttachUserPolicy"]);
    expect(c.error).toBe("zip archive: no central directory (the archive is cut off or damaged); read 2 entries from the local headers");
  });

  it("names an encrypted entry and one with an unsupported method instead of reading them", async () => {
    const z = zip([{ name: "a.json", data: Buffer.from(document([stopLogging()])) }, { name: "b.json", data: Buffer.from("x") }, { name: "c.json", data: Buffer.from("y") }]);
    // Mark b.json encrypted and c.json as bzip2 (method 12) in the central directory.
    let cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    cd = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    z.writeUInt16LE(1, cd + 8);
    const cd3 = z.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]), cd + 4);
    z.writeUInt16LE(12, cd3 + 10);
    const c = await decodeLogBytes(z, "z.zip");
    expect(names(c)).toEqual(["StopLogging"]);
    expect(c.error).toBe("b.json: encrypted; not read; c.json: compression method 12 is not supported (only stored and deflate); not read");
  });
});
