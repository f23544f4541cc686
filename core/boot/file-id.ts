/**
 * Signed, opaque file IDs. A reference (path, URL, s3://…) is encrypted and
 * authenticated with AES-256-GCM under a key derived from the configured
 * secret, so an ID reveals nothing and cannot be forged or altered. The IV is
 * derived from the reference (HMAC), which makes IDs deterministic: the same
 * reference always gets the same ID under the same secret, so scripts are
 * stable and several instances sharing a secret accept each other's IDs.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 1;

export interface FileIdCodec {
  mint(ref: string): string;
  /** The reference, or undefined when the ID is malformed, forged or altered. */
  open(id: string): string | undefined;
}

/** Make a random secret (hex) when none is configured. */
export const randomSecret = (): string => randomBytes(32).toString('hex');

export function createFileIds(secret: string): FileIdCodec {
  const ikm = Buffer.from(secret, 'utf8');
  const encKey = Buffer.from(hkdfSync('sha256', ikm, 'pixie', 'file-id/enc/v1', 32));
  const ivKey = Buffer.from(hkdfSync('sha256', ikm, 'pixie', 'file-id/iv/v1', 32));
  return {
    mint(ref) {
      const plain = Buffer.from(ref, 'utf8');
      const iv = createHmac('sha256', ivKey).update(plain).digest().subarray(0, IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      cipher.setAAD(Buffer.of(VERSION));
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return Buffer.concat([Buffer.of(VERSION), iv, body, cipher.getAuthTag()]).toString('base64url');
    },
    open(id) {
      if (typeof id !== 'string' || id.length > 8192 || !/^[A-Za-z0-9_-]+$/.test(id)) return undefined;
      const raw = Buffer.from(id, 'base64url');
      if (raw.length < 1 + IV_BYTES + TAG_BYTES || raw[0] !== VERSION) return undefined;
      const iv = raw.subarray(1, 1 + IV_BYTES);
      const tag = raw.subarray(raw.length - TAG_BYTES);
      const body = raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES);
      try {
        const d = createDecipheriv('aes-256-gcm', encKey, iv);
        d.setAAD(Buffer.of(VERSION));
        d.setAuthTag(tag);
        return Buffer.concat([d.update(body), d.final()]).toString('utf8');
      } catch {
        return undefined;
      }
    },
  };
}
