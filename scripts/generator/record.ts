import type { Identity } from "./identities";
import type { Rng } from "./random";
import { isoSeconds } from "./time";

/** One event to be logged, before ids and the common fields are filled in. */
export interface EventSpec {
  /** Epoch ms. */
  time: number;
  /** The recipient account (whose log it lands in). */
  account: string;
  region: string;
  identity: Identity;
  eventSource: string;
  eventName: string;
  sourceIPAddress: string;
  userAgent: string;
  readOnly: boolean;
  requestParameters?: unknown;
  responseElements?: unknown;
  additionalEventData?: unknown;
  resources?: unknown[];
  errorCode?: string;
  errorMessage?: string;
  /** Details of an AwsServiceEvent (e.g. Identity Center sign-in outcome). */
  serviceEventDetails?: unknown;
  eventType?: "AwsApiCall" | "AwsConsoleSignIn" | "AwsServiceEvent";
  eventVersion?: string;
  /** S3/Lambda data events: eventCategory Data and managementEvent false. */
  data?: boolean;
  /** Set by calls made from the AWS console (`sessionCredentialFromConsole`). */
  console?: boolean;
  /** Host header in tlsDetails; absent means the service was called by AWS itself (no TLS details). */
  host?: string;
  /** S3 request ids are 16 upper-case hex characters rather than UUIDs. */
  s3?: boolean;
  sharedEventID?: boolean;
  vpcEndpointId?: string;
  /** Internal marker (attack id or behaviour tag), never written to the record. */
  tag?: string;
}

const TLS13 = { tlsVersion: "TLSv1.3", cipherSuite: "TLS_AES_128_GCM_SHA256" };
const TLS12 = { tlsVersion: "TLSv1.2", cipherSuite: "ECDHE-RSA-AES128-GCM-SHA256" };

/**
 * Builds the CloudTrail record of an event with the fields in the order CloudTrail writes them,
 * drawing eventID and requestID from `rng`.
 */
export function buildRecord(e: EventSpec, rng: Rng): Record<string, unknown> {
  const r: Record<string, unknown> = {
    eventVersion: e.eventVersion ?? (e.eventType === "AwsConsoleSignIn" ? "1.08" : "1.09"),
    userIdentity: e.identity,
    eventTime: isoSeconds(e.time),
    eventSource: e.eventSource,
    eventName: e.eventName,
    awsRegion: e.region,
    sourceIPAddress: e.sourceIPAddress,
    userAgent: e.userAgent,
  };
  if (e.errorCode) r.errorCode = e.errorCode;
  // A failed console sign-in has an errorMessage and no errorCode.
  if (e.errorCode || e.errorMessage !== undefined) r.errorMessage = e.errorMessage ?? "";
  r.requestParameters = e.requestParameters ?? null;
  r.responseElements = e.responseElements ?? null;
  if (e.additionalEventData !== undefined) r.additionalEventData = e.additionalEventData;
  r.requestID = e.s3 ? rng.hex(16).toUpperCase() : rng.uuid();
  r.eventID = rng.uuid();
  r.readOnly = e.readOnly;
  if (e.resources) r.resources = e.resources;
  r.eventType = e.eventType ?? "AwsApiCall";
  r.managementEvent = !e.data;
  r.recipientAccountId = e.account;
  if (e.serviceEventDetails !== undefined) r.serviceEventDetails = e.serviceEventDetails;
  if (e.sharedEventID) r.sharedEventID = rng.uuid();
  if (e.vpcEndpointId) {
    r.vpcEndpointId = e.vpcEndpointId;
    r.vpcEndpointAccountId = e.account;
  }
  r.eventCategory = e.data ? "Data" : "Management";
  if (e.host) r.tlsDetails = { ...(e.s3 && rng.chance(0.3) ? TLS12 : TLS13), clientProvidedHostHeader: e.host };
  if (e.console) r.sessionCredentialFromConsole = "true";
  return r;
}
