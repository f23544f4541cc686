/**
 * One S3 object as a FileSource: HeadObject for size, ETag and dates, then
 * GetObject (with the HTTP range passed through) each time the file is
 * opened. S3 failures become PixieErrors the HTTP layer turns into status
 * codes: 404 → PIXIE_ERR_NOT_FOUND, 401/403 → PIXIE_ERR_FORBIDDEN, anything
 * else → PIXIE_ERR_UPSTREAM.
 */
import type { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Logger } from 'pino';
import type { ByteRange, FileSource } from '../../core/boot/spec.js';
import { PixieError, type ErrorCode } from '../../core/errors.js';
import { formatS3Ref, type S3Ref } from './ref.js';

/** What we read from an SDK error: never its message fields, which can echo request details. */
interface S3Failure {
  readonly status: number | undefined;
  readonly s3Code: string;
  readonly requestId: string | undefined;
}

function describeFailure(err: unknown): S3Failure {
  const e = err as { name?: unknown; Code?: unknown; $metadata?: { httpStatusCode?: unknown; requestId?: unknown } };
  const status = typeof e.$metadata?.httpStatusCode === 'number' ? e.$metadata.httpStatusCode : undefined;
  const code = typeof e.Code === 'string' ? e.Code : typeof e.name === 'string' ? e.name : 'Error';
  const requestId = typeof e.$metadata?.requestId === 'string' ? e.$metadata.requestId : undefined;
  return { status, s3Code: code, requestId };
}

/** Errors raised before any request was sent: no credentials found, bad endpoint, … */
const isCredentialsError = (err: unknown) => err instanceof Error && err.name === 'CredentialsProviderError';

/** Turn an SDK failure into a coded PixieError and log it once, naming bucket and key. */
export function s3Error(err: unknown, ref: S3Ref, what: string, log: Logger): PixieError {
  const where = formatS3Ref(ref);
  const f = describeFailure(err);
  let code: ErrorCode;
  let reason: string;
  if (isCredentialsError(err)) {
    code = 'PIXIE_ERR_FORBIDDEN';
    reason = 'no AWS credentials found (set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run with an instance/container role)';
  } else if (f.status === 404) {
    code = 'PIXIE_ERR_NOT_FOUND';
    reason = f.s3Code === 'NoSuchBucket' ? 'no such bucket' : 'no such object';
  } else if (f.status === 403 || f.status === 401) {
    code = 'PIXIE_ERR_FORBIDDEN';
    reason = `access denied (${f.s3Code === 'Unknown' ? 'check the credentials and the bucket policy' : f.s3Code})`;
  } else if (f.status === 301 || f.s3Code === 'PermanentRedirect') {
    code = 'PIXIE_ERR_UPSTREAM';
    reason = 'the bucket is in another region (set --s3-region, or the region option)';
  } else {
    code = 'PIXIE_ERR_UPSTREAM';
    const msg = f.status === undefined && err instanceof Error ? `: ${err.message}` : '';
    reason = `${f.s3Code}${f.status ? ` (HTTP ${f.status})` : ''}${msg}`;
  }
  const fields = { bucket: ref.bucket, key: ref.key, s3Status: f.status, s3Code: f.s3Code, s3RequestId: f.requestId };
  log.warn(fields, `S3 ${what} ${where} failed: ${reason}`);
  return new PixieError(code, `S3 ${what} ${where} failed: ${reason}.`);
}

export interface S3SourceOptions {
  readonly client: S3Client;
  readonly log: Logger;
  /** Aborts in-flight requests when pixie stops. */
  readonly signal?: AbortSignal | undefined;
}

/** HEAD the object and return a FileSource that GETs it (or a byte range of it) on open(). */
export async function s3FileSource(ref: S3Ref, opts: S3SourceOptions): Promise<FileSource> {
  const { client, log, signal } = opts;
  const send = { abortSignal: signal };
  let head;
  try {
    head = await client.send(new HeadObjectCommand({ Bucket: ref.bucket, Key: ref.key }), send);
  } catch (err) {
    throw s3Error(err, ref, 'HeadObject', log);
  }
  const size = head.ContentLength;
  if (size === undefined) throw new PixieError('PIXIE_ERR_UPSTREAM', `S3 HeadObject ${formatS3Ref(ref)} returned no Content-Length.`);
  const etag = head.ETag;
  return {
    size,
    etag,
    lastModified: head.LastModified,
    contentType: head.ContentType,
    description: formatS3Ref(ref),
    async open(range?: ByteRange): Promise<Readable> {
      try {
        const out = await client.send(
          new GetObjectCommand({
            Bucket: ref.bucket,
            Key: ref.key,
            Range: range ? `bytes=${range.start}-${range.end}` : undefined,
            // The object must still be the one HEAD described, or Content-Length would lie.
            IfMatch: etag,
          }),
          send,
        );
        if (!out.Body) throw new Error('GetObject returned no body');
        return out.Body as Readable;
      } catch (err) {
        throw s3Error(err, ref, 'GetObject', log);
      }
    },
  };
}
