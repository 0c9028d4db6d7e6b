import { mockClient } from "aws-sdk-client-mock";
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import {
  SecretReference,
  SecretReferenceError,
  secretRefFrom,
} from "../../../functions/adapters/aws/secret-reference";
import { classifyHecResponse, parseRetryAfter } from "../../../functions/adapters/aws/hec/response";
import { hecEventUrl } from "../../../functions/adapters/aws/hec/client";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:trailwatch/hec-AbCdEf";
const TOKEN = "aaaabbbb-cccc-dddd-eeee-ffff00001111";

describe("HEC token from a secret reference", () => {
  const sm = mockClient(SecretsManagerClient);
  const ssm = mockClient(SSMClient);
  afterEach(() => {
    sm.reset();
    ssm.reset();
  });

  it("reads a raw Secrets Manager token once and serves it from the cache", async () => {
    sm.on(GetSecretValueCommand, { SecretId: SECRET_ARN }).resolves({ SecretString: `${TOKEN}\n` });
    const ref = new SecretReference({ kind: "secretsmanager", secretId: SECRET_ARN }, { secretsManager: new SecretsManagerClient({}) });
    expect(await ref.get()).toBe(TOKEN);
    expect(await ref.get()).toBe(TOKEN);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("takes the token out of a JSON secret", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ token: TOKEN, url: "https://splunk" }) });
    const ref = new SecretReference({ kind: "secretsmanager", secretId: SECRET_ARN }, { secretsManager: new SecretsManagerClient({}) });
    expect(await ref.get()).toBe(TOKEN);
  });

  it("reads again when asked to refresh (after HEC refused the cached token) and when the cache expired", async () => {
    sm.on(GetSecretValueCommand).resolvesOnce({ SecretString: "old" }).resolvesOnce({ SecretString: "new" }).resolves({ SecretString: "newest" });
    const ref = new SecretReference({ kind: "secretsmanager", secretId: SECRET_ARN }, { secretsManager: new SecretsManagerClient({}), maxAgeSeconds: 0 });
    expect(await ref.get()).toBe("old");
    expect(await ref.get(true)).toBe("new");
    expect(await ref.get()).toBe("newest"); // maxAge 0: never cached
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(3);
  });

  it("reads an SSM SecureString with decryption", async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Name: "/trailwatch/hec-token", Type: "SecureString", Value: TOKEN } });
    const ref = new SecretReference({ kind: "ssm", parameterName: "/trailwatch/hec-token" }, { ssm: new SSMClient({}) });
    expect(await ref.get()).toBe(TOKEN);
    expect(ssm.commandCalls(GetParameterCommand)[0]!.args[0].input).toEqual({ Name: "/trailwatch/hec-token", WithDecryption: true });
  });

  it("explains a JSON secret without the token key, listing keys but never values", async () => {
    sm.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ hecToken: TOKEN }) });
    const ref = new SecretReference({ kind: "secretsmanager", secretId: SECRET_ARN }, { secretsManager: new SecretsManagerClient({}) });
    const err = await ref.get().catch((e: Error) => e);
    expect(err).toBeInstanceOf(SecretReferenceError);
    expect((err as Error).message).toBe(`Secrets Manager secret ${SECRET_ARN} is a JSON object without a non-empty string "token" (keys: hecToken)`);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it("names the secret and the AWS error when it cannot be read", async () => {
    sm.on(GetSecretValueCommand).rejects(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }));
    const ref = new SecretReference({ kind: "secretsmanager", secretId: SECRET_ARN }, { secretsManager: new SecretsManagerClient({}) });
    await expect(ref.get()).rejects.toThrow(`could not read Secrets Manager secret ${SECRET_ARN}: ResourceNotFoundException: Secrets Manager can't find the specified secret.`);
  });

  it("requires exactly one of the two settings", () => {
    const names = { secret: "HEC_TOKEN_SECRET_ARN", parameter: "HEC_TOKEN_PARAMETER_NAME" };
    expect(secretRefFrom(SECRET_ARN, undefined, names)).toEqual({ kind: "secretsmanager", secretId: SECRET_ARN });
    expect(secretRefFrom(" ", "/p", names)).toEqual({ kind: "ssm", parameterName: "/p" });
    expect(() => secretRefFrom(SECRET_ARN, "/p", names)).toThrow("set only one of HEC_TOKEN_SECRET_ARN and HEC_TOKEN_PARAMETER_NAME, not both");
    expect(() => secretRefFrom(undefined, "", names)).toThrow("set HEC_TOKEN_SECRET_ARN (Secrets Manager) or HEC_TOKEN_PARAMETER_NAME (SSM SecureString)");
  });
});

describe("HEC protocol details", () => {
  it("builds the event endpoint from a base URL and refuses clear-text HTTP to a remote host", () => {
    expect(hecEventUrl("https://splunk.example.com:8088")).toBe("https://splunk.example.com:8088/services/collector/event");
    expect(hecEventUrl("https://splunk.example.com:8088/")).toBe("https://splunk.example.com:8088/services/collector/event");
    expect(hecEventUrl("https://splunk.example.com/services/collector")).toBe("https://splunk.example.com/services/collector/event");
    expect(hecEventUrl("https://http-inputs-acme.splunkcloud.com/services/collector/event")).toBe("https://http-inputs-acme.splunkcloud.com/services/collector/event");
    expect(hecEventUrl("http://127.0.0.1:8088")).toBe("http://127.0.0.1:8088/services/collector/event");
    expect(() => hecEventUrl("http://splunk.example.com:8088")).toThrow("must use https");
    expect(() => hecEventUrl("https://user:pw@splunk.example.com")).toThrow("must not carry credentials");
    expect(() => hecEventUrl("splunk:8088")).toThrow(/must use https|not a URL/);
  });

  it("reads Retry-After as seconds or as an HTTP date", () => {
    const now = Date.parse("2026-11-23T10:00:00Z");
    expect(parseRetryAfter("7", now)).toBe(7_000);
    expect(parseRetryAfter("Mon, 23 Nov 2026 10:00:12 GMT", now)).toBe(12_000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("classifies HEC's answers by HTTP status and HEC code", () => {
    expect(classifyHecResponse(200, '{"text":"Success","code":0,"ackId":7}', null)).toEqual({ kind: "ok", status: 200, ackId: 7 });
    expect(classifyHecResponse(503, '{"text":"Server is busy","code":9}', "3").kind).toBe("retry");
    expect(classifyHecResponse(503, '{"text":"Server is busy","code":9}', "3")).toMatchObject({ retryAfterMs: 3_000 });
    expect(classifyHecResponse(500, "<html>oops</html>", null)).toEqual({ kind: "retry", status: 500, reason: "HTTP 500: <html>oops</html>" });
    expect(classifyHecResponse(403, '{"text":"Token disabled","code":1}', null).kind).toBe("auth");
    expect(classifyHecResponse(401, '{"text":"Token is required","code":2}', null).kind).toBe("auth");
    expect(classifyHecResponse(400, '{"text":"Data channel is missing","code":10}', null).kind).toBe("reject-request");
    expect(classifyHecResponse(404, "", null)).toEqual({ kind: "reject-request", status: 404, reason: "HTTP 404" });
    expect(classifyHecResponse(400, '{"text":"Invalid data format","code":6,"invalid-event-number":3}', null)).toEqual({
      kind: "reject-events",
      status: 400,
      reason: "HTTP 400: Invalid data format (code 6)",
      invalidEventNumber: 3,
    });
  });
});
