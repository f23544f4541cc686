/**
 * The s3 plugin against a real S3 implementation (s3rver with SigV4
 * enforced, see helpers/s3-server.ts): s3:// kernel, initrd and cmdline
 * files go through /_/file byte-identical, HTTP ranges reach S3 as ranges,
 * and missing objects and bad credentials fail with their documented codes.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { definePlugin } from '../../../core/plugin.js';
import type { BootSpec } from '../../../core/boot/spec.js';
import { isPixieError } from '../../../core/errors.js';
import s3Plugin from '../../../plugins/s3/index.js';
import { startS3, ACCESS_KEY_ID, SECRET_ACCESS_KEY, type TestS3 } from './helpers/s3-server.js';
import { curl, freePort, scriptUrls, startHttpPixie } from '../../core/http/helpers.js';
import { testPixie } from '../../helpers/pixie.js';

const MAC = '52:54:00:aa:bb:01';
const kernel = randomBytes(1_300_000);
const initrd = randomBytes(2_100_000);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let s3: TestS3;
test.before(async () => {
  s3 = await startS3(['boot']);
  await s3.put('boot', 'debian/vmlinuz', kernel);
  await s3.put('boot', 'debian/initrd.gz', initrd);
  await s3.put('boot', 'cfg/seed file.yml', 'hostname: lab\n');
});
test.after.always(async () => {
  await s3?.close();
});

const s3Opts = (secretAccessKey = SECRET_ACCESS_KEY) => ({
  endpoint: s3.endpoint,
  region: 'us-east-1',
  forcePathStyle: true,
  credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey },
});

const booter = (spec: BootSpec) =>
  definePlugin({
    name: 'booter',
    setup(ctx) {
      ctx.tap('boot:decide', async (m) => (m.mac === MAC ? spec : null));
    },
  });

const SPEC: BootSpec = {
  kernel: 's3://boot/debian/vmlinuz',
  initrd: ['s3://boot/debian/initrd.gz'],
  cmdline: 'console=ttyS0 seed={{ ID "s3://boot/cfg/seed file.yml" }}',
};

/** The code of a PixieError, looking through PIXIE_ERR_HOOK wrappers. */
function codeOf(err: unknown): string | undefined {
  for (let e: unknown = err; e instanceof Error; e = e.cause) if (isPixieError(e) && e.code !== 'PIXIE_ERR_HOOK') return e.code;
  return undefined;
}

async function bootScript(t: import('ava').ExecutionContext, secret?: string) {
  const h = await startHttpPixie(t, { plugins: [[s3Plugin, s3Opts(secret)], booter(SPEC)] });
  const script = await curl(`${h.base}/_/ipxe?mac=${MAC}&arch=x64`);
  t.is(script.status, 200);
  const text = script.body.toString();
  const [kernelUrl = '', initrdUrl = ''] = scriptUrls(text);
  const seedUrl = /seed=(http:\/\/\S+)/.exec(text)?.[1] ?? '';
  return { ...h, kernelUrl, initrdUrl, seedUrl };
}

test.serial('s3:// kernel, initrd and cmdline file are served byte-identical through /_/file', async (t) => {
  const h = await bootScript(t);
  t.regex(h.kernelUrl, /\/_\/file\?name=/);
  const k = await curl(h.kernelUrl);
  t.is(k.status, 200);
  t.is(Number(k.headers['content-length']), kernel.length);
  t.is(sha(k.body), sha(kernel));
  t.is(k.headers.etag, `"${createHash('md5').update(kernel).digest('hex')}"`, 'the ETag S3 gave');
  const i = await curl(h.initrdUrl);
  t.is(i.status, 200);
  t.is(sha(i.body), sha(initrd));
  const seed = await curl(h.seedUrl);
  t.is(seed.body.toString(), 'hostname: lab\n');
  const gets = s3.requests.filter((r) => r.method === 'GET' && r.path === '/boot/debian/vmlinuz');
  t.true(gets.length >= 1);
  t.true(gets.every((r) => r.range === undefined), 'a whole-file request sends no Range to S3');
});

test.serial('HTTP ranges are passed to S3 as ranges, not cut from a whole download', async (t) => {
  const h = await bootScript(t);
  const before = s3.requests.length;
  const part = await curl(h.kernelUrl, ['-r', '1000-1999']);
  t.is(part.status, 206);
  t.is(part.headers['content-range'], `bytes 1000-1999/${kernel.length}`);
  t.deepEqual(part.body, kernel.subarray(1000, 2000));
  const tail = await curl(h.kernelUrl, ['-r', '-100']);
  t.is(tail.status, 206);
  t.deepEqual(tail.body, kernel.subarray(kernel.length - 100));
  const gets = s3.requests.slice(before).filter((r) => r.method === 'GET' && r.path === '/boot/debian/vmlinuz');
  t.deepEqual(
    gets.map((r) => r.range),
    ['bytes=1000-1999', `bytes=${kernel.length - 100}-${kernel.length - 1}`],
  );
});

test.serial('HEAD is answered from HeadObject alone', async (t) => {
  const h = await bootScript(t);
  const before = s3.requests.length;
  const head = await curl(h.initrdUrl, ['-I']);
  t.is(head.status, 200);
  t.is(Number(head.headers['content-length']), initrd.length);
  t.deepEqual(
    s3.requests.slice(before).map((r) => r.method),
    ['HEAD'],
  );
});

test('a missing object or bucket fails with PIXIE_ERR_NOT_FOUND and a log line naming bucket and key', async (t) => {
  const pixie = testPixie({ plugins: [[s3Plugin, s3Opts()]] });
  t.teardown(() => pixie.stop());
  await pixie.ready();
  const err = await t.throwsAsync(pixie.resolveFile('s3://boot/debian/nope', { kind: 'kernel', mac: MAC }));
  t.is(codeOf(err), 'PIXIE_ERR_NOT_FOUND');
  t.regex(err.message, /s3:\/\/boot\/debian\/nope/);
  const line = pixie.sink.lines.find((l) => l.key === 'debian/nope');
  t.is(line?.bucket, 'boot');
  t.is(line?.s3Status, 404);
  t.is(line?.level, 40);
  const noBucket = await t.throwsAsync(pixie.resolveFile('s3://no-such-bucket/vmlinuz', { kind: 'kernel' }));
  t.is(codeOf(noBucket), 'PIXIE_ERR_NOT_FOUND');
  const bad = await t.throwsAsync(pixie.resolveFile('s3://bucket-without-key', { kind: 'file' }));
  t.is(codeOf(bad), 'PIXIE_ERR_NOT_FOUND');
  t.regex(bad.message, /no object key/);
});

test('a wrong secret key fails with PIXIE_ERR_FORBIDDEN; the log names bucket and key, never the secret', async (t) => {
  const wrong = 'wrong-secret-key-do-not-log-me';
  const pixie = testPixie({ plugins: [[s3Plugin, s3Opts(wrong)]] });
  t.teardown(() => pixie.stop());
  await pixie.ready();
  const err = await t.throwsAsync(pixie.resolveFile('s3://boot/debian/vmlinuz', { kind: 'kernel', mac: MAC }));
  t.is(codeOf(err), 'PIXIE_ERR_FORBIDDEN');
  t.regex(err.message, /s3:\/\/boot\/debian\/vmlinuz.*access denied/);
  const line = pixie.sink.lines.find((l) => l.key === 'debian/vmlinuz' && l.bucket === 'boot');
  t.is(line?.s3Status, 403);
  const logs = JSON.stringify(pixie.sink.lines);
  t.false(logs.includes(wrong));
  t.false(logs.includes(SECRET_ACCESS_KEY));
});

test('references other plugins own are left alone', async (t) => {
  const pixie = testPixie({ plugins: [[s3Plugin, s3Opts()]] });
  t.teardown(() => pixie.stop());
  await pixie.ready();
  t.is(await pixie.resolveFile('./no-such-local-file', { kind: 'file' }), undefined);
  t.is(await pixie.resolveFile('https://example.invalid/x', { kind: 'file' }).catch(() => undefined), undefined);
  t.false(s3.requests.some((r) => r.path.includes('no-such-local-file')));
});

test('through /_/file: a missing object is 404, a wrong secret key 403, and the log names bucket and key', async (t) => {
  const missing = await startHttpPixie(t, { plugins: [[s3Plugin, s3Opts()], booter({ kernel: 's3://boot/debian/vmlinuz-gone' })] });
  const script = (await curl(`${missing.base}/_/ipxe?mac=${MAC}&arch=x64`)).body.toString();
  const [url = ''] = scriptUrls(script);
  const gone = await curl(url);
  t.is(gone.status, 404);
  t.false(gone.body.toString().includes('vmlinuz-gone'), 'the machine is not told which reference is missing');
  t.true(missing.pixie.sink.lines.some((l) => l.bucket === 'boot' && l.key === 'debian/vmlinuz-gone' && l.s3Status === 404));

  const denied = await bootScript(t, 'a-wrong-secret-key');
  const k = await curl(denied.kernelUrl);
  t.is(k.status, 403);
  t.true(denied.pixie.sink.lines.some((l) => l.bucket === 'boot' && l.key === 'debian/vmlinuz' && l.s3Status === 403));
  t.false(JSON.stringify(denied.pixie.sink.lines).includes('a-wrong-secret-key'));
});

test('an S3 endpoint that is down fails with PIXIE_ERR_UPSTREAM naming the object', async (t) => {
  const closed = await freePort();
  const pixie = testPixie({ plugins: [[s3Plugin, { ...s3Opts(), endpoint: `http://127.0.0.1:${closed}`, maxAttempts: 1 }]] });
  t.teardown(() => pixie.stop());
  await pixie.ready();
  const err = await t.throwsAsync(pixie.resolveFile('s3://boot/debian/vmlinuz', { kind: 'kernel' }));
  t.is(codeOf(err), 'PIXIE_ERR_UPSTREAM');
  t.regex(err.message, /s3:\/\/boot\/debian\/vmlinuz failed: .*ECONNREFUSED/);
});
