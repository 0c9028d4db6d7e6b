// s3rver reports a common prefix only for a folder that holds an object directly (it prunes deeper
// folders from its walk), where S3 reports every folder: AWSLogs/ -> o-id/ -> account/ is never
// found. This patch computes delimiter listings from the full listing, which gives S3's answer.
// Used by s3rver-child.cjs (exact-delimiter mode) and by benchmarks that serve CloudTrail layouts.
"use strict";

function patchS3rverListing() {
  const FilesystemStore = require("s3rver/lib/stores/filesystem");
  if (FilesystemStore.prototype.listObjects.exactDelimiter) return;
  const original = FilesystemStore.prototype.listObjects;
  const patched = async function (bucket, options) {
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
  patched.exactDelimiter = true;
  FilesystemStore.prototype.listObjects = patched;
}

module.exports = { patchS3rverListing };
