/** Where the requests of one client go: scheme, host (and port), and a path prefix (`/bucket` for path-style S3). */
export interface Endpoint {
  protocol: "https:" | "http:";
  hostname: string;
  /** Only when not the scheme's default (an endpoint override such as `http://127.0.0.1:4568`). */
  port?: number;
  /** Prepended to every request path; "" or a path without a trailing slash. */
  basePath: string;
}

/** An endpoint override (tests, local servers), the way SDK clients take one. */
export interface EndpointOverride {
  /** e.g. `http://127.0.0.1:4568`; its path, if any, prefixes every request. */
  endpoint?: string;
}

const REGION_NAME = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The DNS suffix of a region's partition: `amazonaws.com.cn` for the China regions, else `amazonaws.com`. */
export function dnsSuffix(region: string): string {
  return region.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
}

function checkRegion(region: string): void {
  if (!REGION_NAME.test(region)) throw new Error(`"${region}" is not an AWS region name (expected e.g. eu-west-1); set AWS_REGION or pass a region`);
}

function fromUrl(url: string): Endpoint {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`endpoint "${url}" is not a URL (expected e.g. http://127.0.0.1:4568)`);
  }
  if (u.protocol !== "https:" && u.protocol !== "http:") throw new Error(`endpoint "${url}" must be http or https`);
  return { protocol: u.protocol, hostname: u.hostname, ...(u.port ? { port: Number(u.port) } : {}), basePath: u.pathname.replace(/\/+$/, "") };
}

/**
 * The endpoint the environment configures for a service, as SDK clients read it:
 * `AWS_ENDPOINT_URL_<SERVICE>` (e.g. `AWS_ENDPOINT_URL_S3`), else `AWS_ENDPOINT_URL`, unless
 * `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true. Lets local runs and the benchmark point the
 * signed-HTTP clients at local servers exactly as they point the SDK clients.
 */
export function endpointFromEnv(serviceId: string, env: Record<string, string | undefined> = process.env): string | undefined {
  if (env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.trim().toLowerCase() === "true") return undefined;
  const specific = env[`AWS_ENDPOINT_URL_${serviceId.toUpperCase().replace(/[\s-]+/g, "_")}`]?.trim();
  return specific || env.AWS_ENDPOINT_URL?.trim() || undefined;
}

/** A regional service endpoint, e.g. `https://lambda.eu-west-1.amazonaws.com`, or the override. */
export function serviceEndpoint(service: string, region: string, override: EndpointOverride = {}): Endpoint {
  if (override.endpoint) return fromUrl(override.endpoint);
  checkRegion(region);
  return { protocol: "https:", hostname: `${service}.${region}.${dnsSuffix(region)}`, basePath: "" };
}

/**
 * Bucket names that can be a host label: lower-case letters, digits and hyphens, 3 to 63
 * characters. Names with dots are left out on purpose: `a.b.s3.<region>.amazonaws.com` does not
 * match S3's wildcard TLS certificate.
 */
const VIRTUAL_HOSTABLE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/**
 * The endpoint of one bucket: virtual-hosted (`bucket.s3.<region>.<suffix>`, path "") when the name
 * can be a host label, path-style (`s3.<region>.<suffix>`, path `/bucket`) otherwise, when
 * `forcePathStyle` is set, or when the override's host is an IP address (local servers such as s3rver). An override replaces the host; the bucket
 * is then prefixed to it (virtual-hosted) or to the path, as SDK clients do.
 */
export function s3Endpoint(bucket: string, region: string, opts: EndpointOverride & { forcePathStyle?: boolean } = {}): Endpoint {
  const base = serviceEndpoint("s3", region, opts);
  // An IP address cannot carry the bucket as a subdomain: path-style, as SDK clients do.
  const ipHost = /^\d{1,3}(\.\d{1,3}){3}$|^\[?[0-9a-f:]+\]?$/i.test(base.hostname);
  if (!opts.forcePathStyle && !ipHost && VIRTUAL_HOSTABLE.test(bucket)) return { ...base, hostname: `${bucket}.${base.hostname}` };
  return { ...base, basePath: `${base.basePath}/${uriEncode(bucket)}` };
}

/** The `host` header for an endpoint (with the port when it is not the default). */
export function hostHeader(e: Endpoint): string {
  return e.port !== undefined ? `${e.hostname}:${e.port}` : e.hostname;
}

/** RFC 3986 encoding as AWS signs it: everything but `A-Za-z0-9-._~` (encodeURIComponent leaves `!'()*` too). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** An S3 object key as a request path: each `/`-separated segment encoded, the slashes kept. */
export function s3KeyPath(key: string): string {
  return key.split("/").map(uriEncode).join("/");
}
