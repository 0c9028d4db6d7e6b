// Runs s3rver in its own Node process (started with --openssl-legacy-provider: s3rver's
// ListObjectsV2 continuation tokens use DES, which Node 20's OpenSSL 3 only offers through the legacy
// provider). Prints {"port": n} on stdout once listening; exits when stdin closes (the parent died or
// stopped it), so no server outlives its test.
"use strict";
const S3rver = require("s3rver");

const [directory, bucketsJson, mode] = process.argv.slice(2);
const buckets = JSON.parse(bucketsJson || "[]");
// S3's delimiter listings (every sub-folder), which s3rver alone does not give; see s3rver-exact-listing.cjs.
if (mode === "exact-delimiter") require("./s3rver-exact-listing.cjs").patchS3rverListing();
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
