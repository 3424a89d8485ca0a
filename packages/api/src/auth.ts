/**
 * Credentials on gRPC calls: every call carries the access key id and the secret access key in these
 * metadata keys when the broker runs with authentication. Plain metadata rather than call credentials,
 * which grpc-js sends only over a secure channel (TLS is configured separately).
 */
import * as grpc from "@grpc/grpc-js";

export const ACCESS_KEY_ID_METADATA_KEY = "x-eddy-access-key-id";
export const SECRET_ACCESS_KEY_METADATA_KEY = "x-eddy-secret-access-key";

/** A client interceptor that puts the credentials in every call's metadata. */
export function credentialsInterceptor(accessKeyId: string, secretAccessKey: string): grpc.Interceptor {
  return (options, nextCall) =>
    new grpc.InterceptingCall(nextCall(options), {
      start(metadata, listener, next) {
        metadata.set(ACCESS_KEY_ID_METADATA_KEY, accessKeyId);
        metadata.set(SECRET_ACCESS_KEY_METADATA_KEY, secretAccessKey);
        next(metadata, listener);
      },
    });
}
