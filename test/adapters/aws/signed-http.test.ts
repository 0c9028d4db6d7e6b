import { isTransientAwsError } from "../../../functions/adapters/aws/aws-error";
import { parseListPage } from "../../../functions/adapters/aws/s3-http";
import { AwsHttpError, errorFromResponse, retryClass } from "../../../functions/adapters/aws/signed-http";

describe("signed HTTP error answers", () => {
  it("reads S3's XML error into an error named with its code", () => {
    const e = errorFromResponse(404, { "x-amz-request-id": "R1" }, '<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');

    expect(e).toBeInstanceOf(AwsHttpError);
    expect([e.name, e.message, e.$metadata, e.$fault]).toEqual(["NoSuchKey", "The specified key does not exist.", { httpStatusCode: 404, requestId: "R1" }, "client"]);
  });

  it("reads Lambda's JSON errors: the x-amzn-ErrorType header first, then __type, code or a Type that is a code", () => {
    const fromHeader = errorFromResponse(429, { "x-amzn-errortype": "TooManyRequestsException:http://internal.amazon.com/coral/com.amazonaws.awslambda/" }, '{"Type":"User","message":"Rate Exceeded."}');
    const fromType = errorFromResponse(400, {}, '{"__type":"com.amazonaws.lambda#InvalidParameterValueException","Message":"bad"}');
    const fromTypeField = errorFromResponse(403, {}, '{"Type":"AccessDeniedException","Message":"not authorized"}');
    const userOnly = errorFromResponse(500, {}, '{"Type":"Service","message":"boom"}');

    expect([fromHeader.name, fromHeader.message]).toEqual(["TooManyRequestsException", "Rate Exceeded."]);
    expect([fromType.name, fromType.message]).toEqual(["InvalidParameterValueException", "bad"]);
    expect([fromTypeField.name, fromTypeField.message]).toEqual(["AccessDeniedException", "not authorized"]);
    expect([userOnly.name, userOnly.$fault]).toEqual(["InternalError", "server"]);
  });

  it("names an answer without an error document after its status, and says where a moved bucket is", () => {
    expect(errorFromResponse(404, {}, "", "HEAD")).toMatchObject({ name: "NotFound", message: "HTTP 404" });
    expect(errorFromResponse(502, {}, "<html>bad gateway</html>").name).toBe("BadGateway");
    expect(errorFromResponse(301, { "x-amz-bucket-region": "eu-west-1" }, "<Error><Code>PermanentRedirect</Code><Message>moved</Message></Error>").message).toBe("moved (the bucket is in eu-west-1)");
  });

  it("retries throttling, 500/502/503/504 and dropped connections, and nothing else; the project's helpers agree", () => {
    const err = (status: number, name: string) => new AwsHttpError(name, "x", status);
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const timeout = Object.assign(new Error("timed out"), { name: "TimeoutError" });

    expect([err(429, "TooManyRequestsException"), err(503, "SlowDown"), err(400, "ThrottlingException")].map(retryClass)).toEqual(["THROTTLING", "THROTTLING", "THROTTLING"]);
    expect([err(500, "InternalError"), err(502, "BadGateway"), err(504, "GatewayTimeout"), reset, timeout].map(retryClass)).toEqual(Array(5).fill("TRANSIENT"));
    expect([err(403, "AccessDenied"), err(404, "NoSuchKey"), err(501, "NotImplemented"), new Error("bug")].map(retryClass)).toEqual(Array(4).fill(undefined));
    expect([err(503, "SlowDown"), err(429, "TooManyRequestsException"), reset, timeout].every(isTransientAwsError)).toBe(true);
    expect(isTransientAwsError(err(403, "AccessDenied"))).toBe(false);
  });
});

describe("ListObjectsV2 pages", () => {
  it("decodes URL-encoded common prefixes (S3 writes a space as +) and returns the continuation token", () => {
    const xml =
      '<?xml version="1.0" encoding="UTF-8"?><ListBucketResult><Name>b</Name><Prefix>ct%2FCloudTrail%2F</Prefix><EncodingType>url</EncodingType>' +
      "<IsTruncated>true</IsTruncated><NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>" +
      "<CommonPrefixes><Prefix>ct%2FCloudTrail%2Feu-west-1%2F</Prefix></CommonPrefixes><CommonPrefixes><Prefix>ct%2FCloudTrail%2Fnot+a%2Bregion%26%2F</Prefix></CommonPrefixes></ListBucketResult>";

    expect(parseListPage(xml)).toEqual({ prefixes: ["ct/CloudTrail/eu-west-1/", "ct/CloudTrail/not a+region&/"], nextToken: "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=" });
  });

  it("takes prefixes as they are (XML-unescaped) when the server did not URL-encode them, and refuses a truncated page without a token", () => {
    const plain = "<ListBucketResult><IsTruncated>false</IsTruncated><CommonPrefixes><Prefix>a &amp; b/</Prefix></CommonPrefixes></ListBucketResult>";

    expect(parseListPage(plain)).toEqual({ prefixes: ["a & b/"] });
    expect(() => parseListPage("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")).toThrow(/without a NextContinuationToken/);
  });
});
