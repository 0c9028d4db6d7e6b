import { createServer, request } from "node:http";
import { listenOnLoopback } from "./loopback";
import { s3Error } from "./s3rver";

/** A proxy in front of s3rver that refuses part of a bucket, as an IAM policy with a prefix condition would. */
export interface DenyProxy {
  endpoint: string;
  /** Requests answered with AccessDenied, as `METHOD path`. */
  readonly denied: string[];
  /** Every request seen, as `METHOD path` (path-style, query included). */
  readonly requests: string[];
  stop(): Promise<void>;
}

/**
 * s3rver has no IAM, so it cannot deny anything. This proxy answers 403 AccessDenied (S3's XML
 * error) for a GetObject/HeadObject of a key under `deniedPrefix` and for a ListObjectsV2 whose
 * `prefix` starts with it, and forwards every other request untouched; a listing of a parent folder
 * still shows the denied folder, as S3 does when only the subtree is denied. Path-style requests only.
 */
export async function startDenyProxy(target: string, deniedPrefix: string): Promise<DenyProxy> {
  const to = new URL(target);
  const denied: string[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://local");
    requests.push(`${req.method} ${req.url}`);
    const [, , ...keyParts] = url.pathname.split("/");
    const key = decodeURIComponent(keyParts.join("/"));
    const listPrefix = url.searchParams.get("prefix");
    const refuse = (key !== "" && key.startsWith(deniedPrefix)) || (key === "" && listPrefix !== null && listPrefix.startsWith(deniedPrefix));
    if (refuse) {
      denied.push(`${req.method} ${req.url}`);
      req.resume();
      const a = s3Error(403, "AccessDenied", "Access Denied");
      res.writeHead(a.status, { ...a.headers, "content-length": Buffer.byteLength(a.body) });
      res.end(a.body);
      return;
    }
    const up = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  const endpoint = await listenOnLoopback(server);
  return {
    endpoint,
    denied,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
