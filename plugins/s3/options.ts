/**
 * Options of the `s3` plugin. CLI flags arrive as strings (or `true` for a
 * bare flag), pixie.config.js gives real types; both are accepted.
 */
import { z } from 'zod';

/** `true`/`false`, or the strings a flag or an environment variable gives. */
const flagBoolean = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);

const httpUrl = z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL such as http://127.0.0.1:9000' });

export const s3Options = z
  .object({
    /** AWS region; default: the SDK chain (AWS_REGION, the profile's region), else us-east-1. */
    region: z.string().min(1).optional(),
    /** Endpoint of an S3-compatible store (MinIO, Ceph RGW, Garage, R2); default: AWS. */
    endpoint: httpUrl.optional(),
    /** Address buckets as `endpoint/bucket/key` instead of `bucket.endpoint/key`. */
    forcePathStyle: flagBoolean.default(false),
    /** Shared-config profile to take credentials (and region) from; default: AWS_PROFILE or "default". */
    profile: z.string().min(1).optional(),
    /**
     * Static credentials, for the config file only (no CLI flag: argv is visible to
     * every user). Prefer the SDK chain: env, profiles, container/instance roles.
     */
    credentials: z
      .object({ accessKeyId: z.string().min(1), secretAccessKey: z.string().min(1), sessionToken: z.string().min(1).optional() })
      .strict()
      .optional(),
    /** Socket idle timeout for each S3 request, in ms. */
    requestTimeoutMs: z.coerce.number().int().min(100).max(600_000).default(30_000),
    /**
     * Send machines presigned S3 URLs for kernels and initrds instead of streaming
     * the bytes through pixie (they must reach the store themselves).
     */
    redirect: flagBoolean.default(false),
    /** Lifetime of presigned URLs, in seconds (SigV4 allows up to 7 days). */
    redirectExpiresS: z.coerce.number().int().min(60).max(604_800).default(3600),
    /** Attempts per S3 call (the SDK retries throttling and 5xx with backoff). */
    maxAttempts: z.coerce.number().int().min(1).max(10).default(3),
  })
  .strict();

export type S3Options = z.output<typeof s3Options>;
