import { dnsSuffix, endpointFromEnv, hostHeader, s3Endpoint, s3KeyPath, serviceEndpoint } from "../../../functions/adapters/aws/aws-endpoint";

describe("AWS endpoints", () => {
  it("puts a DNS-compatible bucket in the host name (virtual-hosted style)", () => {
    const e = s3Endpoint("org-trail-logs", "eu-west-1");

    expect(e).toEqual({ protocol: "https:", hostname: "org-trail-logs.s3.eu-west-1.amazonaws.com", basePath: "" });
    expect(hostHeader(e)).toBe("org-trail-logs.s3.eu-west-1.amazonaws.com");
  });

  it("puts buckets with dots (or not host-label shaped) in the path, where TLS still matches", () => {
    expect(s3Endpoint("logs.example.com", "us-east-1")).toEqual({ protocol: "https:", hostname: "s3.us-east-1.amazonaws.com", basePath: "/logs.example.com" });
    expect(s3Endpoint("Legacy_Bucket", "us-east-1").basePath).toBe("/Legacy_Bucket");
    expect(s3Endpoint("ab", "us-east-1").basePath).toBe("/ab");
  });

  it("uses the China partition's suffix for cn- regions", () => {
    expect(dnsSuffix("cn-north-1")).toBe("amazonaws.com.cn");
    expect(dnsSuffix("us-gov-west-1")).toBe("amazonaws.com");
    expect(s3Endpoint("trail-logs", "cn-northwest-1").hostname).toBe("trail-logs.s3.cn-northwest-1.amazonaws.com.cn");
    expect(serviceEndpoint("lambda", "cn-north-1").hostname).toBe("lambda.cn-north-1.amazonaws.com.cn");
    expect(serviceEndpoint("lambda", "ap-southeast-4").hostname).toBe("lambda.ap-southeast-4.amazonaws.com");
  });

  it("sends everything to an override, path-style when asked (local servers), with its port in the host header", () => {
    const pathStyle = s3Endpoint("org-trail-logs", "us-east-1", { endpoint: "http://127.0.0.1:4568", forcePathStyle: true });
    const virtual = s3Endpoint("org-trail-logs", "us-east-1", { endpoint: "http://localhost:4568/base/" });
    const lambda = serviceEndpoint("lambda", "us-east-1", { endpoint: "http://127.0.0.1:9001" });

    expect(pathStyle).toEqual({ protocol: "http:", hostname: "127.0.0.1", port: 4568, basePath: "/org-trail-logs" });
    expect(hostHeader(pathStyle)).toBe("127.0.0.1:4568");
    expect(virtual).toEqual({ protocol: "http:", hostname: "org-trail-logs.localhost", port: 4568, basePath: "/base" });
    expect(lambda).toEqual({ protocol: "http:", hostname: "127.0.0.1", port: 9001, basePath: "" });
  });

  it("puts the bucket in the path when the override's host is an IP address, as SDK clients do", () => {
    expect(s3Endpoint("org-trail-logs", "us-east-1", { endpoint: "http://127.0.0.1:4568" })).toEqual({ protocol: "http:", hostname: "127.0.0.1", port: 4568, basePath: "/org-trail-logs" });
    expect(s3Endpoint("org-trail-logs", "us-east-1", { endpoint: "http://[::1]:4568" }).basePath).toBe("/org-trail-logs");
  });

  it("reads the endpoint the environment configures, service first, like SDK clients", () => {
    expect(endpointFromEnv("S3", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1", AWS_ENDPOINT_URL: "http://127.0.0.1:2" })).toBe("http://127.0.0.1:1");
    expect(endpointFromEnv("Lambda", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1", AWS_ENDPOINT_URL: "http://127.0.0.1:2" })).toBe("http://127.0.0.1:2");
    expect(endpointFromEnv("S3", { AWS_ENDPOINT_URL_S3: "http://127.0.0.1:1", AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" })).toBeUndefined();
    expect(endpointFromEnv("S3", {})).toBeUndefined();
  });

  it("rejects a region or override that cannot be an endpoint, saying what was wrong", () => {
    expect(() => serviceEndpoint("s3", "EU West")).toThrow(/"EU West" is not an AWS region name/);
    expect(() => serviceEndpoint("s3", "us-east-1", { endpoint: "127.0.0.1:4568" })).toThrow(/must be http or https|is not a URL/);
  });

  it("encodes a key's segments as S3 signs them, keeping the slashes", () => {
    expect(s3KeyPath("AWSLogs/1/a b+c=d!*'()~é.json.gz")).toBe("AWSLogs/1/a%20b%2Bc%3Dd%21%2A%27%28%29~%C3%A9.json.gz");
  });
});
