// The facade's TypeScript client: transports for browsers over Connect or
// gRPC-Web that send the caller key, a readable view of the facade's
// errors, and sendOnce, which retries a write under one request_id. The service and message types are generated in ../gen from
// proto/ (make generate); import them from there.

import { Code, ConnectError, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { ViolationsSchema, type FieldPath } from "../gen/buf/validate/validate_pb.js";
import { ErrorInfoSchema, RetryInfoSchema } from "../gen/google/rpc/error_details_pb.js";

/**
 * The wire protocols a browser can speak to the facade: Connect (JSON; reads
 * that the contract marks NO_SIDE_EFFECTS go as cacheable HTTP GET) or
 * gRPC-Web (binary protobuf).
 */
export type Protocol = "connect" | "grpcweb";

/** Options of createFacadeTransport. */
export interface FacadeTransportOptions {
  /** The facade's base URL, such as "https://bwfacade.internal.example.com". */
  baseUrl: string;
  /** The caller key, sent as "Authorization: Bearer <key>" with every call. */
  key: string;
  /** The wire protocol; "connect" when unset. */
  protocol?: Protocol;
  /**
   * The deadline of each call in milliseconds; 10000 when unset. A call's
   * own timeoutMs overrides it, and 0 there sets none: a following stream,
   * such as syncGoals with follow, needs { timeoutMs: 0 } and an AbortSignal
   * to stop it.
   */
  timeoutMs?: number;
}

/** createFacadeTransport returns a transport that calls the facade as the caller whose key it holds. */
export function createFacadeTransport(options: FacadeTransportOptions): Transport {
  const bearer: Interceptor = (next) => (req) => {
    req.header.set("Authorization", `Bearer ${options.key}`);
    return next(req);
  };
  const common = {
    baseUrl: options.baseUrl,
    interceptors: [bearer],
    defaultTimeoutMs: options.timeoutMs ?? 10_000,
  };
  if (options.protocol === "grpcweb") {
    return createGrpcWebTransport({ ...common, useBinaryFormat: true });
  }
  return createConnectTransport({ ...common, useHttpGet: true });
}

/** FacadeError is what a person needs to read from a failed call. */
export interface FacadeError {
  /** The status code, as grpcurl names it: "InvalidArgument", "Unauthenticated"... */
  code: string;
  /** The facade's message, without the code. */
  message: string;
  /** The ErrorInfo reason, such as "UPSTREAM_NOT_FOUND"; empty when none came. */
  reason: string;
  /** One "field: problem" line per field the request got wrong. */
  violations: string[];
  /** Seconds to wait before retrying, from RetryInfo; undefined when none came. */
  retryAfterSeconds?: number;
  /** Whether retrying the same call can succeed. */
  retryable: boolean;
  /**
   * Whether the facade answered. False when the browser got no answer it may
   * show the page: the facade is down or unreachable, or it does not allow
   * the page's origin (CORS); the code is then "Unknown".
   */
  answered: boolean;
}

// Codes for which the same call may succeed later.
const retryableCodes = new Set([Code.Unavailable, Code.ResourceExhausted, Code.Aborted, Code.DeadlineExceeded]);

// Reasons for which it cannot, whatever the code: an earlier attempt with
// the request_id may have been applied and nothing tells (ABORTED), or the
// request_id belongs to another request.
const finalReasons = new Set(["OUTCOME_UNKNOWN", "REQUEST_ID_REUSED"]);

/** describeError reads a failed call's code, message and details. */
export function describeError(err: unknown): FacadeError {
  const cerr = ConnectError.from(err);
  const retry = cerr.findDetails(RetryInfoSchema)[0];
  const reason = cerr.findDetails(ErrorInfoSchema)[0]?.reason ?? "";
  return {
    code: Code[cerr.code],
    message: cerr.rawMessage,
    reason,
    violations: cerr
      .findDetails(ViolationsSchema)
      .flatMap((v) => v.violations)
      .map((v) => `${fieldPath(v.field)}: ${v.message}`),
    retryAfterSeconds: retry?.retryDelay ? seconds(retry.retryDelay) : undefined,
    retryable: retryableCodes.has(cerr.code) && !finalReasons.has(reason),
    answered: cerr.isWireError,
  };
}

function fieldPath(path: FieldPath | undefined): string {
  return (path?.elements ?? [])
    .map((e) => (e.subscript.case === undefined ? e.fieldName : `${e.fieldName}[${e.subscript.value}]`))
    .join(".");
}

function seconds(d: Duration): number {
  return Number(d.seconds) + d.nanos / 1e9;
}

/**
 * sendOnce sends a write with a request_id (a new UUID unless req has one)
 * and, when it fails in a way a retry can mend, sends it again with the
 * same request_id, up to attempts times in all, after the RetryInfo delay
 * or a growing backoff. The facade applies a request at most once per
 * request_id and answers every retry with the first answer, so a retry
 * after a timeout or a lost connection (no answer at all) cannot apply it
 * twice. An OUTCOME_UNKNOWN refusal is thrown: check the effect before
 * sending the write again, under a new request_id.
 *
 *   const res = await sendOnce((r) => goals.createGoal(r), create(CreateGoalRequestSchema, { ... }));
 */
export async function sendOnce<Req extends { requestId: string }, Res>(
  send: (req: Req) => Promise<Res>,
  req: Req,
  attempts = 4,
): Promise<Res> {
  const once: Req = { ...req, requestId: req.requestId || crypto.randomUUID() };
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(once);
    } catch (err) {
      const e = describeError(err);
      if (!(e.retryable || !e.answered) || attempt >= attempts) {
        throw err;
      }
      const delay = e.retryAfterSeconds ?? 0.1 * 2 ** attempt;
      await new Promise((resolve) => setTimeout(resolve, delay * 1000));
    }
  }
}
