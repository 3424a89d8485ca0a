/**
 * The operations that read the controller's metadata, by the name both front doors (gRPC and the
 * Kinesis endpoint) give them. Each is answered after a read index (`ClusterNode.freshState`), so it sees
 * every change that returned, made through any broker.
 */
export const FRESH_READ_OPERATIONS: ReadonlySet<string> = new Set([
  "DescribeStream",
  "DescribeStreamSummary",
  "ListStreams",
  "ListShards",
  "DescribeApplication",
  "ListApplications",
  "ListTagsForStream",
  "DescribeLimits",
  "DescribeStreamConsumer",
  "ListStreamConsumers",
]);
