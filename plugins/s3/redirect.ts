/**
 * `redirect` mode: machines fetch S3 kernels and initrds straight from the
 * store through presigned GET URLs, so the bytes do not pass through pixie.
 * An `ipxe:script` tap, run after the renderer, swaps each pixie file URL
 * whose reference is an `s3://` kernel or initrd for a presigned URL. File IDs
 * are deterministic, so the URL to replace is found by minting the same ID.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Logger } from 'pino';
import { specForArch, type BootSpec } from '../../core/boot/spec.js';
import type { Machine } from '../../core/boot/machine.js';
import { isS3Ref, parseS3Ref } from './ref.js';
import { s3Error } from './source.js';

export interface RedirectOptions {
  readonly client: S3Client;
  readonly expiresInS: number;
  readonly fileId: (ref: string) => string;
  readonly log: Logger;
}

/** Characters iPXE would read as syntax inside a script word; presigned URLs never contain them. */
const IPXE_UNSAFE = /[\s$"'\\#]/;

/** The `ipxe:script` waterfall tap: rewrite the script's S3 kernel/initrd URLs to presigned ones. */
export function presignScript(o: RedirectOptions) {
  return async (script: string, machine: Machine, spec: BootSpec): Promise<string> => {
    if (!script || spec.ipxeScript) return script;
    const s = specForArch(spec, machine.arch);
    const refs = [s.kernel, ...(s.initrd ?? [])].filter((r): r is string => typeof r === 'string' && isS3Ref(r));
    let out = script;
    for (const ref of new Set(refs)) {
      const parsed = parseS3Ref(ref);
      if ('error' in parsed) continue; // served (and refused) through pixie, with the usual error
      let url: string;
      try {
        url = await getSignedUrl(o.client, new GetObjectCommand({ Bucket: parsed.bucket, Key: parsed.key }), { expiresIn: o.expiresInS });
      } catch (err) {
        // Without credentials nothing can be presigned: leave the pixie URL, which fails with the real reason.
        s3Error(err, parsed, 'presign', o.log);
        continue;
      }
      if (IPXE_UNSAFE.test(url)) {
        o.log.warn({ bucket: parsed.bucket, key: parsed.key }, `presigned URL for ${ref} is not safe in an iPXE script; serving it through pixie`);
        continue;
      }
      // The pixie URL of this reference as a kernel or initrd: a whitespace-free word carrying
      // `name=<its ID>` and `type=kernel|initrd` (cmdline files keep going through pixie).
      const id = o.fileId(ref);
      out = out.replace(new RegExp(`\\S*[?&]name=${id}(?![\\w-])\\S*`, 'g'), (word) => (/[?&]type=(kernel|initrd)(&|$)/.test(word) ? url : word));
    }
    return out;
  };
}
