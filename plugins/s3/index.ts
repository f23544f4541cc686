/**
 * `s3` — serves `s3://bucket/key` references (kernel, initrds, cmdline
 * files) from AWS S3 or any S3-compatible store, through the official AWS
 * SDK v3 client and its standard credential chain. Bytes stream through
 * pixie with HTTP ranges passed on to S3, or, with `redirect`, machines get
 * presigned URLs for kernels and initrds and fetch them from the store.
 */
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { definePlugin } from '../../core/plugin.js';
import { PixieError } from '../../core/errors.js';
import { isS3Ref, parseS3Ref } from './ref.js';
import { s3FileSource } from './source.js';
import { presignScript } from './redirect.js';
import { s3Options, type S3Options } from './options.js';

export { s3Options, type S3Options } from './options.js';
export { parseS3Ref, isS3Ref, type S3Ref } from './ref.js';
export { s3FileSource } from './source.js';

/** The region the SDK's own chain finds (env, profile), or us-east-1 when it finds none. */
async function defaultRegion(profile: string | undefined): Promise<string> {
  const probe = new S3Client(profile ? { profile } : {});
  try {
    return await probe.config.region();
  } catch {
    return 'us-east-1';
  } finally {
    probe.destroy();
  }
}

/** SDK client configuration for the options (exported for tests; holds no secrets unless the config file does). */
export async function clientConfig(o: S3Options): Promise<S3ClientConfig> {
  return {
    region: o.region ?? (await defaultRegion(o.profile)),
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    forcePathStyle: o.forcePathStyle,
    ...(o.profile ? { profile: o.profile } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
    maxAttempts: o.maxAttempts,
    // A bucket in another region answers 301; let the SDK follow it (AWS only).
    followRegionRedirects: !o.endpoint,
    requestHandler: { connectionTimeout: Math.min(o.requestTimeoutMs, 10_000), requestTimeout: o.requestTimeoutMs },
  };
}

export default definePlugin<S3Options>({
  name: 's3',
  description: 'serves s3://bucket/key files from AWS S3, MinIO, Ceph RGW, Garage, R2, … (AWS SDK credential chain)',
  options: s3Options,
  async setup(ctx) {
    const o = ctx.options;
    const config = await clientConfig(o);
    const client = new S3Client(config);
    ctx.onClose(() => client.destroy());
    ctx.log.debug(
      { region: config.region, endpoint: o.endpoint ?? 'AWS', forcePathStyle: o.forcePathStyle, redirect: o.redirect, credentials: o.credentials ? 'config file' : 'SDK chain' },
      's3 file source ready',
    );
    ctx.tap('file:resolve', async (ref) => {
      if (!isS3Ref(ref)) return undefined;
      const parsed = parseS3Ref(ref);
      if ('error' in parsed) {
        ctx.log.warn({ ref }, `invalid S3 reference ${JSON.stringify(ref)}: ${parsed.error}`);
        throw new PixieError('PIXIE_ERR_NOT_FOUND', `Invalid S3 reference ${JSON.stringify(ref)}: ${parsed.error}.`);
      }
      return s3FileSource(parsed, { client, log: ctx.log, signal: ctx.signal });
    });
    if (o.redirect) {
      // After the renderer (stage 0), before user taps at higher stages.
      ctx.tap('ipxe:script', presignScript({ client, expiresInS: o.redirectExpiresS, fileId: (r) => ctx.core.fileId(r), log: ctx.log }), { stage: 10 });
    }
  },
});
