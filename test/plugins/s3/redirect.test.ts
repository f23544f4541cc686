/**
 * `redirect`: the iPXE script points machines at presigned S3 URLs for
 * kernels and initrds. curl (standing in for iPXE) fetches them from the S3
 * server directly, which checks the query signature; cmdline files and
 * non-S3 references still go through pixie.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { definePlugin } from '../../../core/plugin.js';
import type { BootSpec } from '../../../core/boot/spec.js';
import s3Plugin from '../../../plugins/s3/index.js';
import { startS3, ACCESS_KEY_ID, SECRET_ACCESS_KEY, type TestS3 } from './helpers/s3-server.js';
import { curl, scriptUrls, startHttpPixie } from '../../core/http/helpers.js';

const MAC = '52:54:00:aa:bb:02';
const kernel = randomBytes(800_000);
const initrd = randomBytes(600_000);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let s3: TestS3;
test.before(async () => {
  s3 = await startS3(['boot']);
  await s3.put('boot', 'img/vmlinuz', kernel);
  await s3.put('boot', 'img/initrd.img', initrd);
  await s3.put('boot', 'img/seed.yml', 'seed\n');
});
test.after.always(() => s3?.close());

const booter = (spec: BootSpec) =>
  definePlugin({
    name: 'booter',
    setup(ctx) {
      ctx.tap('boot:decide', async (m) => (m.mac === MAC ? spec : null));
    },
  });

async function script(t: import('ava').ExecutionContext, spec: BootSpec, secretAccessKey = SECRET_ACCESS_KEY) {
  const opts = { endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, redirect: true, credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey } };
  const h = await startHttpPixie(t, { plugins: [[s3Plugin, opts], booter(spec)] });
  const text = (await curl(`${h.base}/_/ipxe?mac=${MAC}&arch=x64`)).body.toString();
  return { ...h, text, urls: scriptUrls(text) };
}

test.serial('kernel and initrd URLs are presigned S3 URLs that fetch the objects byte-identical; cmdline files stay with pixie', async (t) => {
  const s = await script(t, { kernel: 's3://boot/img/vmlinuz', initrd: ['s3://boot/img/initrd.img'], cmdline: 'seed={{ ID "s3://boot/img/seed.yml" }}' });
  const [kernelUrl = '', initrdUrl = ''] = s.urls;
  for (const u of [kernelUrl, initrdUrl]) {
    t.true(u.startsWith(`${s3.endpoint}/boot/img/`), u);
    t.regex(u, /X-Amz-Signature=[0-9a-f]{64}/);
    t.regex(u, /X-Amz-Expires=3600/);
  }
  t.regex(s.text, /seed=http:\/\/127\.0\.0\.1:\d+\/_\/file\?name=/, 'the cmdline file is still served by pixie');
  t.regex(s.text, /\/_\/booting\?mac=/, 'the booted beacon is kept');
  const before = s3.requests.length;
  const k = await curl(kernelUrl);
  t.is(k.status, 200);
  t.is(sha(k.body), sha(kernel));
  const i = await curl(initrdUrl, ['-r', '100-199']);
  t.is(i.status, 206);
  t.deepEqual(i.body, initrd.subarray(100, 200));
  t.deepEqual(
    s3.requests.slice(before).map((r) => [r.method, r.path, r.presigned]),
    [
      ['GET', '/boot/img/vmlinuz', true],
      ['GET', '/boot/img/initrd.img', true],
    ],
  );
});

test.serial('S3 refuses a presigned URL that was altered or signed with a wrong secret key', async (t) => {
  const good = await script(t, { kernel: 's3://boot/img/vmlinuz' });
  const tampered = (good.urls[0] ?? '').replace('/img/vmlinuz', '/img/initrd.img');
  const r = await curl(tampered);
  t.is(r.status, 403);
  t.regex(r.body.toString(), /SignatureDoesNotMatch/);
  const bad = await script(t, { kernel: 's3://boot/img/vmlinuz' }, 'wrong-secret');
  const w = await curl(bad.urls[0] ?? '');
  t.is(w.status, 403);
  t.regex(w.body.toString(), /SignatureDoesNotMatch/);
});

test('references that are not s3:// and complete iPXE scripts are left alone', async (t) => {
  const local = await script(t, { kernel: './vmlinuz', initrd: ['https://mirror.example/initrd.img', 's3://boot/img/initrd.img'] });
  t.regex(local.urls[0] ?? '', /\/_\/file\?name=.*type=kernel/);
  t.regex(local.urls[1] ?? '', /\/_\/file\?name=.*type=initrd/);
  t.true((local.urls[2] ?? '').startsWith(`${s3.endpoint}/boot/img/initrd.img?`));
  const custom = await script(t, { ipxeScript: '#!ipxe\nchain http://example.invalid/s3\n' });
  t.is(custom.text, '#!ipxe\nchain http://example.invalid/s3\n');
});

test('per-architecture S3 kernels are presigned for the machine\'s architecture', async (t) => {
  const s = await script(t, { kernel: './x64-kernel', perArch: { x64: { kernel: 's3://boot/img/vmlinuz' } } });
  t.true((s.urls[0] ?? '').startsWith(`${s3.endpoint}/boot/img/vmlinuz?`));
});
