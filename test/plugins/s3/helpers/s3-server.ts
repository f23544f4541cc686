/**
 * A real S3-compatible server for tests: s3rver (a Node S3 implementation:
 * buckets on disk, HEAD/GET/Range, S3 XML errors) on 127.0.0.1 with a fresh
 * directory, plus SigV4 enforcement. s3rver 3.x checks only that the access
 * key exists for V4 requests and lets anonymous requests through, so a
 * middleware re-signs every request (Authorization header or presigned URL)
 * with AWS's own signer (@smithy/signature-v4, the code the SDK signs with)
 * and the secret from s3rver's account store, and refuses any request whose
 * signature differs or whose presigned URL has expired.
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignatureV4 } from '@smithy/signature-v4';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const require = createRequire(import.meta.url);

// The SDK warns once per process that its 2027 releases will need Node 22; noise in test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface KoaContext {
  req: { method?: string; url?: string; headers: Record<string, string | string[] | undefined> };
}
type Middleware = (ctx: KoaContext, next: () => Promise<void>) => Promise<void>;
interface S3rverInstance {
  middleware: Middleware[];
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (opts: Record<string, unknown>) => S3rverInstance;
type S3ErrorCtor = new (code: string, message: string, detail?: Record<string, string>) => Error;
interface Account {
  accessKeys: Map<string, string>;
  createKeyPair(id: string, secret: string): void;
}

const S3rver = require('s3rver') as S3rverCtor;
const S3Error = require('s3rver/lib/models/error.js') as S3ErrorCtor;
const AWSAccount = require('s3rver/lib/models/account.js') as { registry: Map<string, Account>; DUMMY_ACCOUNT: Account };

/** Test credentials (registered in s3rver's account store). */
export const ACCESS_KEY_ID = 'PIXIETESTKEY0001';
export const SECRET_ACCESS_KEY = 'pixie-test-secret/0123456789abcdefghij';
AWSAccount.DUMMY_ACCOUNT.createKeyPair(ACCESS_KEY_ID, SECRET_ACCESS_KEY);

/** node:crypto in the shape the signer wants (`new Sha256(secret?)`). */
type Source = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: Source) => (typeof d === 'string' ? d : ArrayBuffer.isView(d) ? new Uint8Array(d.buffer, d.byteOffset, d.byteLength) : new Uint8Array(d));
class Sha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: Source) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Source): void {
    this.h.update(bytes(data));
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** "20261126T005000Z" → Date. */
const amzDate = (s: string) => new Date(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13, 15)}Z`);

/** The query of a request URL as the signer wants it (repeated keys as arrays). */
function queryOf(url: URL, drop: ReadonlySet<string> = new Set()): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const k of new Set(url.searchParams.keys())) {
    if (drop.has(k)) continue;
    const all = url.searchParams.getAll(k);
    query[k] = all.length === 1 ? (all[0] ?? '') : all;
  }
  return query;
}

function secretOf(keyId: string): string {
  const secret = AWSAccount.registry.get(keyId)?.accessKeys.get(keyId);
  if (secret === undefined) throw new S3Error('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  return secret;
}

const signerFor = (keyId: string, region: string) =>
  new SignatureV4({
    credentials: { accessKeyId: keyId, secretAccessKey: secretOf(keyId) },
    region,
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });

const mismatch = () =>
  new S3Error('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');

/** Header auth: `Authorization: AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`. */
async function verifyHeader(ctx: KoaContext, auth: string): Promise<void> {
  const headers = ctx.req.headers;
  const m = AUTH.exec(auth);
  if (!m) throw new S3Error('AccessDenied', 'Access Denied (malformed Authorization header)');
  const [, keyId = '', , region = '', signed = '', signature = ''] = m;
  const signer = signerFor(keyId, region);
  const url = new URL(ctx.req.url ?? '/', 'http://s3.test');
  const signedHeaders: Record<string, string> = {};
  for (const name of signed.split(';')) {
    const v = headers[name];
    signedHeaders[name] = Array.isArray(v) ? v.join(',') : (v ?? '');
  }
  const date = typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : '';
  const resigned = await signer.sign(
    { method: ctx.req.method ?? 'GET', protocol: 'http:', hostname: 's3.test', path: url.pathname, query: queryOf(url), headers: signedHeaders },
    { signingDate: amzDate(date) },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(resigned.headers.authorization))?.[1];
  if (!date || expected !== signature) throw mismatch();
}

/** The query parameters a presigner writes itself (and re-writes when presigning again). */
const PRESIGN_PARAMS: ReadonlySet<string> = new Set([
  'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Content-Sha256',
]);

/** Query auth (presigned URLs): presign the same request again at the same date and compare. */
async function verifyPresigned(ctx: KoaContext, url: URL): Promise<void> {
  const p = url.searchParams;
  const cred = /^([^/]+)\/(\d{8})\/([^/]+)\/s3\/aws4_request$/.exec(p.get('X-Amz-Credential') ?? '');
  const date = p.get('X-Amz-Date') ?? '';
  const expires = Number(p.get('X-Amz-Expires'));
  if (!cred || p.get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256' || !/^\d{8}T\d{6}Z$/.test(date) || !Number.isInteger(expires)) {
    throw new S3Error('AccessDenied', 'Access Denied (malformed presigned URL)');
  }
  const [, keyId = '', , region = ''] = cred;
  const signed = p.get('X-Amz-SignedHeaders') ?? '';
  const headers: Record<string, string> = { 'X-Amz-Content-Sha256': p.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD' };
  for (const name of signed.split(';')) {
    const v = ctx.req.headers[name];
    headers[name] = Array.isArray(v) ? v.join(',') : (v ?? '');
  }
  const again = await signerFor(keyId, region).presign(
    { method: ctx.req.method ?? 'GET', protocol: 'http:', hostname: 's3.test', path: url.pathname, query: queryOf(url, PRESIGN_PARAMS), headers },
    { signingDate: amzDate(date), expiresIn: expires },
  );
  if (again.query?.['X-Amz-Signature'] !== p.get('X-Amz-Signature')) throw mismatch();
  if (Date.now() > amzDate(date).getTime() + expires * 1000) throw new S3Error('AccessDenied', 'Request has expired');
}

/** Koa middleware: refuse requests without a SigV4 signature (header or presigned) that verifies. */
export const verifySigV4: Middleware = async (ctx, next) => {
  const auth = typeof ctx.req.headers.authorization === 'string' ? ctx.req.headers.authorization : '';
  const url = new URL(ctx.req.url ?? '/', 'http://s3.test');
  if (auth) await verifyHeader(ctx, auth);
  else if (url.searchParams.has('X-Amz-Signature')) await verifyPresigned(ctx, url);
  else throw new S3Error('AccessDenied', 'Access Denied (this server requires SigV4 authentication)');
  await next();
};

/** A request that passed authentication. */
export interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly range?: string | undefined;
  /** Authenticated with a presigned URL rather than an Authorization header. */
  readonly presigned: boolean;
}

export interface TestS3 {
  readonly endpoint: string;
  /** Authenticated requests, in arrival order. */
  readonly requests: SeenRequest[];
  /** An SDK client with the right credentials, to seed objects. */
  readonly admin: S3Client;
  put(bucket: string, key: string, body: Uint8Array | string): Promise<void>;
  close(): Promise<void>;
}

/** Start s3rver on `address` (default 127.0.0.1; random port) with `buckets` created. */
export async function startS3(buckets: readonly string[] = [], address = '127.0.0.1'): Promise<TestS3> {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-s3-'));
  const server = new S3rver({ address, port: 0, silent: true, directory: dir });
  const requests: SeenRequest[] = [];
  const record: Middleware = async (ctx, next) => {
    const range = ctx.req.headers.range;
    const url = ctx.req.url ?? '';
    requests.push({ method: ctx.req.method ?? '', path: url.split('?')[0] ?? '', range: typeof range === 'string' ? range : undefined, presigned: url.includes('X-Amz-Signature=') });
    await next();
  };
  // After s3rver's logger and XML encoder, before its routes.
  server.middleware.splice(2, 0, verifySigV4, record);
  const { port } = await server.run();
  const endpoint = `http://${address}:${port}`;
  const admin = new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });
  for (const b of buckets) await admin.send(new CreateBucketCommand({ Bucket: b }));
  return {
    endpoint,
    admin,
    requests,
    async put(bucket, key, body) {
      await admin.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
    },
    async close() {
      admin.destroy();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
