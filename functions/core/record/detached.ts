/**
 * A copy of `s` that shares no memory with the text it was cut from. In V8 a slice of a long string
 * keeps the whole source alive (a 5 MB log file's text for a 17-character event source): strings that
 * outlive their file, such as cache keys, are copied first.
 */
export function detached(s: string): string {
  return Buffer.from(s, "utf16le").toString("utf16le");
}
