import { hecForwarderConfig } from "../../../functions/handlers/hec-forwarder/config";
import { EnvError } from "../../../functions/handlers/shared/env";

const SECRET_ARN = "arn:aws:secretsmanager:us-east-1:111122223333:secret:trailwatch/hec-Xy12Ab";
const DLQ_URL = "https://sqs.us-east-1.amazonaws.com/111122223333/trailwatch-hec-rejected";
const TOKEN_EXAMPLE =
  "e.g. HEC_TOKEN_SECRET_ARN=arn:aws:secretsmanager:us-east-1:111122223333:secret:trailwatch/hec-AbCdEf or HEC_TOKEN_PARAMETER_NAME=/trailwatch/hec-token";
/** What modules/alerting sets, with the token in Secrets Manager. */
const GOOD = {
  HEC_ENDPOINT: "https://splunk.example.com:8088",
  HEC_TOKEN_SECRET_ARN: SECRET_ARN,
  HEC_SOURCETYPE: "trailwatch:alert",
  HEC_SOURCE: "trailwatch",
  HEC_DLQ_URL: DLQ_URL,
};

/** The message of the error `hecForwarderConfig` throws for `env`. */
function problem(env: Record<string, string | undefined>): string {
  try {
    hecForwarderConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvError);
    return (err as Error).message;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe("hec-forwarder configuration", () => {
  it("reads the module's environment, with the defaults for the tuning", () => {
    // Prepare / Act
    const cfg = hecForwarderConfig(GOOD);

    // Assess
    expect(cfg).toEqual({
      endpoint: "https://splunk.example.com:8088",
      token: { kind: "secretsmanager", secretId: SECRET_ARN },
      index: undefined,
      sourcetype: "trailwatch:alert",
      source: "trailwatch",
      dlqUrl: DLQ_URL,
      requestTimeoutMs: 10_000,
      maxBatchBytes: 512 * 1024,
      tokenMaxAgeSeconds: 300,
    });
  });

  it("reads every variable, trimmed, with an SSM parameter for the token", () => {
    const cfg = hecForwarderConfig({
      HEC_ENDPOINT: " https://splunk.example.com:8088/services/collector/event ",
      HEC_TOKEN_SECRET_ARN: " ",
      HEC_TOKEN_PARAMETER_NAME: " /trailwatch/hec-token ",
      HEC_INDEX: " security ",
      HEC_SOURCETYPE: " aws:trailwatch ",
      HEC_SOURCE: " trailwatch-prod ",
      HEC_DLQ_URL: ` ${DLQ_URL} `,
      HEC_REQUEST_TIMEOUT_MS: "120000",
      HEC_MAX_BATCH_BYTES: "1024",
      HEC_TOKEN_MAX_AGE_SECONDS: "0",
    });

    expect(cfg).toEqual({
      endpoint: "https://splunk.example.com:8088/services/collector/event",
      token: { kind: "ssm", parameterName: "/trailwatch/hec-token" },
      index: "security",
      sourcetype: "aws:trailwatch",
      source: "trailwatch-prod",
      dlqUrl: DLQ_URL,
      requestTimeoutMs: 120_000,
      maxBatchBytes: 1024,
      tokenMaxAgeSeconds: 0,
    });
  });

  it("treats blank optional variables as unset: defaults, no index, no dead-letter queue", () => {
    const cfg = hecForwarderConfig({ ...GOOD, HEC_INDEX: "", HEC_SOURCETYPE: " ", HEC_SOURCE: "", HEC_DLQ_URL: "", HEC_REQUEST_TIMEOUT_MS: "", HEC_MAX_BATCH_BYTES: " ", HEC_TOKEN_MAX_AGE_SECONDS: "" });
    expect(cfg).toMatchObject({ index: undefined, sourcetype: "trailwatch:alert", source: "trailwatch", dlqUrl: undefined, requestTimeoutMs: 10_000, maxBatchBytes: 524_288, tokenMaxAgeSeconds: 300 });
  });

  it("accepts a plain-http endpoint and queue on loopback only (local tests)", () => {
    const cfg = hecForwarderConfig({ ...GOOD, HEC_ENDPOINT: "http://127.0.0.1:8088", HEC_DLQ_URL: "http://localhost:9324/000000000000/rejected" });
    expect(cfg).toMatchObject({ endpoint: "http://127.0.0.1:8088", dlqUrl: "http://localhost:9324/000000000000/rejected" });
  });

  it.each([
    [{ HEC_ENDPOINT: undefined }, "HEC_ENDPOINT: is not set; expected the HEC base URL, e.g. https://splunk.example.com:8088"],
    [{ HEC_ENDPOINT: "  " }, "HEC_ENDPOINT: is not set; expected the HEC base URL, e.g. https://splunk.example.com:8088"],
    [{ HEC_ENDPOINT: "splunk.example.com" }, 'HEC_ENDPOINT: HEC endpoint "splunk.example.com" is not a URL; expected e.g. https://splunk.example.com:8088'],
    [{ HEC_ENDPOINT: "splunk:8088" }, 'HEC_ENDPOINT: HEC endpoint "splunk:8088" is not a URL; expected e.g. https://splunk.example.com:8088'],
    [
      { HEC_ENDPOINT: "http://splunk.example.com:8088" },
      "HEC_ENDPOINT: HEC endpoint http://splunk.example.com:8088 must use https: the token would travel in clear text; expected the HEC base URL, e.g. https://splunk.example.com:8088",
    ],
    [
      { HEC_ENDPOINT: "https://admin:pw@splunk.example.com:8088" },
      "HEC_ENDPOINT: HEC endpoint must not carry credentials in the URL; the token comes from the secret reference; expected the HEC base URL, e.g. https://splunk.example.com:8088",
    ],
    [{ HEC_TOKEN_SECRET_ARN: undefined }, `HEC_TOKEN_SECRET_ARN: set HEC_TOKEN_SECRET_ARN (Secrets Manager) or HEC_TOKEN_PARAMETER_NAME (SSM SecureString); ${TOKEN_EXAMPLE}`],
    [{ HEC_TOKEN_PARAMETER_NAME: "/trailwatch/hec-token" }, `HEC_TOKEN_SECRET_ARN: set only one of HEC_TOKEN_SECRET_ARN and HEC_TOKEN_PARAMETER_NAME, not both; ${TOKEN_EXAMPLE}`],
    [{ HEC_DLQ_URL: "trailwatch-hec-rejected" }, "HEC_DLQ_URL: must be an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/hec-rejected"],
    [{ HEC_DLQ_URL: "http://sqs.us-east-1.amazonaws.com/111122223333/q" }, "HEC_DLQ_URL: must be an SQS queue URL such as"],
    [{ HEC_REQUEST_TIMEOUT_MS: "99" }, 'HEC_REQUEST_TIMEOUT_MS: must be an integer from 100 to 120000, e.g. 10000 (the default when unset); got "99"'],
    [{ HEC_REQUEST_TIMEOUT_MS: "120001" }, 'HEC_REQUEST_TIMEOUT_MS: must be an integer from 100 to 120000, e.g. 10000 (the default when unset); got "120001"'],
    [{ HEC_MAX_BATCH_BYTES: "1023" }, 'HEC_MAX_BATCH_BYTES: must be an integer from 1024 to 104857600, e.g. 524288 (the default when unset); got "1023"'],
    [{ HEC_MAX_BATCH_BYTES: "104857601" }, 'HEC_MAX_BATCH_BYTES: must be an integer from 1024 to 104857600, e.g. 524288 (the default when unset); got "104857601"'],
    [{ HEC_TOKEN_MAX_AGE_SECONDS: "-1" }, 'HEC_TOKEN_MAX_AGE_SECONDS: must be an integer from 0 to 86400, e.g. 300 (the default when unset); got "-1"'],
    [{ HEC_TOKEN_MAX_AGE_SECONDS: "5m" }, 'HEC_TOKEN_MAX_AGE_SECONDS: must be an integer from 0 to 86400, e.g. 300 (the default when unset); got "5m"'],
  ])("refuses %j, saying what to set", (change, message) => {
    expect(problem({ ...GOOD, ...change })).toContain(`hec-forwarder: invalid environment: ${message}`);
  });

  it("names every problem of a wrong environment at once, the token's too", () => {
    // Prepare: the endpoint, the token, the queue and a tuning value all wrong
    const env = {
      HEC_ENDPOINT: "http://splunk.example.com:8088",
      HEC_TOKEN_SECRET_ARN: SECRET_ARN,
      HEC_TOKEN_PARAMETER_NAME: "/trailwatch/hec-token",
      HEC_DLQ_URL: "trailwatch-hec-rejected",
      HEC_REQUEST_TIMEOUT_MS: "10s",
    };

    // Act
    const message = problem(env);

    // Assess
    expect(message).toBe(
      "hec-forwarder: invalid environment: " +
        "HEC_ENDPOINT: HEC endpoint http://splunk.example.com:8088 must use https: the token would travel in clear text; expected the HEC base URL, e.g. https://splunk.example.com:8088; " +
        "HEC_DLQ_URL: must be an SQS queue URL such as https://sqs.us-east-1.amazonaws.com/111122223333/hec-rejected; " +
        'HEC_REQUEST_TIMEOUT_MS: must be an integer from 100 to 120000, e.g. 10000 (the default when unset); got "10s"; ' +
        `HEC_TOKEN_SECRET_ARN: set only one of HEC_TOKEN_SECRET_ARN and HEC_TOKEN_PARAMETER_NAME, not both; ${TOKEN_EXAMPLE}`,
    );
  });
});
