/**
 * Flags that built-in plugins add to the command line. They are declared
 * here (not imported from the plugins) so `--help` stays fast and a plugin's
 * dependencies load only when the plugin is used. A flag that is given adds
 * its plugin to the list (merged with the plugin's entry in the config file).
 */
export interface BuiltinFlag {
  readonly plugin: string;
  /** Commander syntax. */
  readonly flags: string;
  readonly description: string;
  /** Option key in the plugin's options. */
  readonly key: string;
  /** Repeatable flag collected into an array. */
  readonly list?: boolean;
}

export const BUILTIN_FLAGS: readonly BuiltinFlag[] = [
  { plugin: 'api', flags: '--api-url <url>', description: 'boot API base URL (GET <url>/v1/boot/<mac>)', key: 'url' },
  { plugin: 'api', flags: '--api-request-timeout <duration>', description: 'timeout for the whole API request (default: 5s)', key: 'timeoutMs' },
  { plugin: 'api', flags: '--api-header <header>', description: "extra API request header 'Name: value'; repeatable", key: 'headers', list: true },
  { plugin: 'api', flags: '--api-send-arch', description: 'add ?arch=&firmware= to API requests', key: 'sendArch' },
  { plugin: 's3', flags: '--s3-endpoint <url>', description: 'S3-compatible endpoint, e.g. http://minio.lab:9000 (default: AWS)', key: 'endpoint' },
  { plugin: 's3', flags: '--s3-region <region>', description: 'S3 region (default: AWS_REGION, the profile, else us-east-1)', key: 'region' },
  { plugin: 's3', flags: '--s3-force-path-style', description: 'address buckets as <endpoint>/<bucket> (MinIO, Ceph, Garage)', key: 'forcePathStyle' },
  { plugin: 's3', flags: '--s3-profile <name>', description: 'AWS shared-config profile for credentials (default: AWS_PROFILE)', key: 'profile' },
  { plugin: 's3', flags: '--s3-request-timeout <ms>', description: 'idle timeout of each S3 request in ms (default: 30000)', key: 'requestTimeoutMs' },
  { plugin: 's3', flags: '--s3-redirect', description: 'send machines presigned S3 URLs for kernels and initrds instead of streaming them', key: 'redirect' },
  { plugin: 's3', flags: '--s3-redirect-expires <s>', description: 'lifetime of presigned URLs in seconds (default: 3600)', key: 'redirectExpiresS' },
  { plugin: 'webhook', flags: '--webhook-url <url>', description: 'POST boot events to this URL; repeatable', key: 'urls', list: true },
  { plugin: 'webhook', flags: '--webhook-events <names>', description: 'comma-separated events to send, or * (default: boot:decided,boot:ignored,machine:booting,machine:booted)', key: 'events' },
  { plugin: 'webhook', flags: '--webhook-secret-env <var>', description: 'environment variable holding the HMAC signing secret (default: PIXIE_WEBHOOK_SECRET)', key: 'secretEnv' },
  { plugin: 'webhook', flags: '--webhook-timeout <ms>', description: 'per-request timeout in ms (default: 5000)', key: 'timeoutMs' },
  { plugin: 'webhook', flags: '--webhook-max-attempts <n>', description: 'attempts per event before giving it up (default: 8)', key: 'maxAttempts' },
  { plugin: 'webhook', flags: '--webhook-max-queue <n>', description: 'events queued per URL; beyond it the oldest are dropped (default: 1000)', key: 'maxQueue' },
];
