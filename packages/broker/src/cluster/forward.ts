import { fromServiceError, grpc } from "@eddy/api";

/** Metadata key counting how many brokers a call went through; a call is forwarded at most twice. */
export const HOPS_METADATA_KEY = "eddy-hops";
export const HOPS_MAX = 2;

/** Deadline of a forwarded call: long enough for a put to wait out an election at the other end. */
export const FORWARD_TIMEOUT_MS = 30_000;

type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (error: grpc.ServiceError | null, response?: Res) => void,
) => unknown;

/**
 * Calls `method` of another broker's Streams service with the request as it came in, one hop further.
 * Its failure comes back as the KinesisError the other broker answered.
 */
export function forwardUnary<Req, Res>(method: UnaryMethod<Req, Res>, request: Req, hops: number): Promise<Res> {
  return new Promise((resolve, reject) => {
    // waitForReady: the target is a connected peer, but this channel may still be in a reconnect backoff
    // from before it restarted; waiting for the channel beats failing the call.
    const options = { deadline: Date.now() + FORWARD_TIMEOUT_MS, waitForReady: true };
    method(request, hopsMetadata(hops + 1), options, (error, response) => {
      if (error) reject(fromServiceError(error));
      else resolve(response!);
    });
  });
}

export function hopsMetadata(hops: number): grpc.Metadata {
  const metadata = new grpc.Metadata();
  metadata.set(HOPS_METADATA_KEY, String(hops));
  return metadata;
}

/** How many brokers a call has already been through (0 from a client). */
export function hopsOf(metadata: grpc.Metadata): number {
  const value = metadata.get(HOPS_METADATA_KEY)[0];
  const hops = typeof value === "string" ? Number(value) : 0;
  return Number.isSafeInteger(hops) && hops > 0 ? hops : 0;
}
