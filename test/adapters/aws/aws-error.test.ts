import { InternalServerException, InvalidRequestException, TooManyRequestsException } from "@aws-sdk/client-athena";
import { AuthorizationErrorException, InternalErrorException, KMSThrottlingException } from "@aws-sdk/client-sns";
import { awsErrorName, isThrottlingAwsError, isTransientAwsError } from "../../../functions/adapters/aws/aws-error";
import { classifyAwsError, TransientError } from "../../../functions/adapters/aws/transient-error";

/** An error shaped like one the SDK deserialized from a response without a modeled class. */
function sdkError(name: string, status?: number, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${name} happened`), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}), ...extra });
}

describe("isTransientAwsError (the one classification of retryable AWS failures)", () => {
  it("calls throttling transient, whether modeled, named or only a 429", () => {
    // Prepare
    const throttles = [
      new TooManyRequestsException({ message: "Rate exceeded", $metadata: {} }),
      new KMSThrottlingException({ message: "slow down", $metadata: {} }),
      sdkError("ThrottlingException", 400),
      sdkError("SlowDown", 503),
      sdkError("RequestLimitExceeded"),
      sdkError("ProvisionedThroughputExceededException", 400),
      sdkError("Throttled"),
      sdkError("Weird", 429),
    ];
    // Act / Assess
    for (const e of throttles) {
      expect([e.name, isTransientAwsError(e)]).toEqual([e.name, true]);
      expect([e.name, isThrottlingAwsError(e)]).toEqual([e.name, true]);
    }
  });

  it("calls 5xx, modeled server faults and server-fault names transient, but not throttling", () => {
    const faults = [
      new InternalServerException({ message: "boom", $metadata: {} }),
      new InternalErrorException({ message: "boom", $metadata: {} }),
      sdkError("Weird", 503),
      sdkError("Weird", 500),
      sdkError("Weird", 507),
      sdkError("InternalError"),
      sdkError("ServiceUnavailable"),
    ];
    for (const e of faults) {
      expect([e.name, isTransientAwsError(e)]).toEqual([e.name, true]);
      expect([e.name, isThrottlingAwsError(e)]).toEqual([e.name, false]);
    }
  });

  it("calls dropped connections and timeouts transient, also when the SDK left only a message", () => {
    const network = [
      sdkError("TimeoutError"),
      sdkError("RequestTimeout", 400),
      sdkError("Error", undefined, { code: "ECONNRESET" }),
      sdkError("Error", undefined, { code: "ENOTFOUND" }),
      sdkError("ECONNREFUSED"),
      new Error("AWS SDK error wrapper for TimeoutError: socket hang up"),
      Object.assign(new Error("outer"), { cause: sdkError("Error", undefined, { code: "ETIMEDOUT" }) }),
    ];
    for (const e of network) expect([e.message, isTransientAwsError(e)]).toEqual([e.message, true]);
  });

  it("calls permission, validation, not-found and model errors permanent, and non-errors too", () => {
    const permanent: unknown[] = [
      new InvalidRequestException({ message: "bad SQL", $metadata: {} }),
      new AuthorizationErrorException({ message: "no", $metadata: {} }),
      sdkError("AccessDenied", 403),
      sdkError("AccessDeniedException", 400),
      sdkError("NoSuchKey", 404),
      sdkError("ModelError", 424),
      sdkError("ValidationException", 400),
      sdkError("AbortError"),
      undefined,
      null,
      "ThrottlingException",
      42,
    ];
    for (const e of permanent) expect([String((e as Error)?.name ?? e), isTransientAwsError(e)]).toEqual([String((e as Error)?.name ?? e), false]);
    expect(isThrottlingAwsError(sdkError("InternalError", 500))).toBe(false);
  });

  it("names an error by its name, else its code, else Error", () => {
    expect(awsErrorName(sdkError("NoSuchKey"))).toBe("NoSuchKey");
    expect(awsErrorName({ code: "ECONNRESET" })).toBe("ECONNRESET");
    expect(awsErrorName(undefined)).toBe("Error");
  });
});

describe("classifyAwsError", () => {
  it("turns a transient failure into a TransientError (what Step Functions retries) and says what was being done", () => {
    // Act
    const transient = classifyAwsError(sdkError("SlowDown", 503), "reading s3://b/k");
    const permanent = classifyAwsError(sdkError("AccessDenied", 403), "reading s3://b/k");
    // Assess
    expect(transient).toBeInstanceOf(TransientError);
    expect(transient.message).toBe("reading s3://b/k: SlowDown: SlowDown happened");
    expect(permanent).not.toBeInstanceOf(TransientError);
    expect(permanent.message).toBe("reading s3://b/k: AccessDenied happened");
  });
});
