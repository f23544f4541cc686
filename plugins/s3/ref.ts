/**
 * `s3://bucket/key` references. The key is taken literally (no percent
 * decoding), as the AWS CLI does: `s3://boot/images/a b.img` names the key
 * `images/a b.img`.
 */

export interface S3Ref {
  readonly bucket: string;
  readonly key: string;
}

/** Parse failure, with a reason fit for a log line. */
export interface S3RefError {
  readonly error: string;
}

const SCHEME = /^s3:\/\//i;

/** True when `ref` uses the `s3:` scheme (whether or not it is well-formed). */
export const isS3Ref = (ref: string): boolean => /^s3:/i.test(ref);

/** Split `s3://bucket/key` into its parts; never throws. */
export function parseS3Ref(ref: string): S3Ref | S3RefError {
  if (!SCHEME.test(ref)) return { error: 'expected s3://bucket/key' };
  const rest = ref.replace(SCHEME, '');
  const slash = rest.indexOf('/');
  const bucket = slash < 0 ? rest : rest.slice(0, slash);
  const key = slash < 0 ? '' : rest.slice(slash + 1);
  // Bucket names are 3-63 characters of lower-case letters, digits, dots and hyphens
  // (S3 naming rules); other S3-compatible stores accept a little more, so only
  // what would break the request URL is refused here.
  if (!bucket || /[/?#\s\\]/.test(bucket)) return { error: `invalid bucket name ${JSON.stringify(bucket)}` };
  if (!key) return { error: 'no object key after the bucket name' };
  return { bucket, key };
}

/** The canonical text of a reference, for logs. */
export const formatS3Ref = (r: S3Ref): string => `s3://${r.bucket}/${r.key}`;
