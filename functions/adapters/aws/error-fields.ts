/**
 * What may be logged about an error: its name, message, HTTP status and request id. Never the
 * request, the response body or a stack with data in it.
 */
export function errorFields(e: unknown): { error: string; errorName: string; httpStatus?: number; requestId?: string } {
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  return {
    error: typeof err?.message === "string" ? err.message : String(e),
    errorName: typeof err?.name === "string" ? err.name : "Error",
    ...(err?.$metadata?.httpStatusCode ? { httpStatus: err.$metadata.httpStatusCode } : {}),
    ...(err?.$metadata?.requestId ? { requestId: err.$metadata.requestId } : {}),
  };
}
