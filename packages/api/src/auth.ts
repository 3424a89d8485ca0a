/**
 * Credentials on gRPC calls: every call carries the access key id and the secret access key in these
 * metadata keys when the broker runs with authentication. Plain metadata rather than call credentials,
 * which grpc-js sends only over a secure channel (TLS is configured separately).
 */
export const ACCESS_KEY_ID_METADATA_KEY = "x-eddy-access-key-id";
export const SECRET_ACCESS_KEY_METADATA_KEY = "x-eddy-secret-access-key";
