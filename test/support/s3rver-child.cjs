// Runs s3rver in its own Node process (started with --openssl-legacy-provider: s3rver's
// ListObjectsV2 continuation tokens use DES, which Node 20's OpenSSL 3 only offers through the legacy
// provider). Prints {"port": n} on stdout once listening; exits when stdin closes (the parent died or
// stopped it), so no server outlives its test.
"use strict";
const S3rver = require("s3rver");

const [directory, bucketsJson, mode] = process.argv.slice(2);
const buckets = JSON.parse(bucketsJson || "[]");
if (mode === "exact-delimiter") {
  // s3rver reports a common prefix only for a folder that holds an object directly (it prunes deeper
  // folders from its walk), where S3 reports every folder: AWSLogs/ -> o-id/ -> account/ is never
  // found. Computing the delimiter listing from the full listing gives S3's answer.
  const FilesystemStore = require("s3rver/lib/stores/filesystem");
  const original = FilesystemStore.prototype.listObjects;
  FilesystemStore.prototype.listObjects = async function (bucket, options) {
    if (!options.delimiter) return original.call(this, bucket, options);
    const all = await original.call(this, bucket, { ...options, delimiter: "", maxKeys: Infinity });
    const prefix = options.prefix || "";
    const max = options.maxKeys === undefined ? Infinity : options.maxKeys;
    const common = new Set();
    const objects = [];
    let isTruncated = false;
    for (const o of all.objects) {
      const i = o.key.slice(prefix.length).indexOf(options.delimiter);
      if (i !== -1) common.add(o.key.slice(0, prefix.length + i + options.delimiter.length));
      else if (objects.length < max) objects.push(o);
      else {
        isTruncated = true;
        break;
      }
    }
    return { objects, commonPrefixes: [...common].sort(), isTruncated };
  };
}
const server = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });

server.run().then(
  ({ port }) => process.stdout.write(JSON.stringify({ port }) + "\n"),
  (err) => {
    process.stderr.write(`s3rver failed to start: ${err && err.stack ? err.stack : err}\n`);
    process.exit(1);
  },
);

const stop = () => {
  if (server.httpServer) server.httpServer.closeAllConnections();
  server.close().finally(() => process.exit(0));
};
process.stdin.on("end", stop);
process.stdin.on("close", stop);
process.stdin.resume();
process.on("SIGTERM", stop);
