/**
 * The HTTP routes against a running pixie on 127.0.0.1, with curl and got as
 * clients: scripts, files (Range, HEAD, Content-Length, conditional GET),
 * signed-ID refusals, the beacon, firmware and health.
 */
import test from 'ava';
import got from 'got';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { definePlugin } from '../../../core/plugin.js';
import type { BootSpec } from '../../../core/boot/spec.js';
import type { PixieEvents } from '../../../core/events.js';
import { curl, scriptUrls, startHttpPixie } from './helpers.js';

const MAC = '52:54:00:12:34:56';
const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) & 0xff));

/** A booter that boots one MAC with a fixed spec and ignores every other. */
const oneMac = (spec: BootSpec) =>
  definePlugin({
    name: 'one-mac',
    setup(ctx) {
      ctx.tap('boot:decide', async (m) => (m.mac === MAC ? spec : null));
    },
  });

async function fixture(t: import('ava').ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-http-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'kernel'), body);
  await writeFile(join(dir, 'initrd'), 'INITRD');
  await writeFile(join(dir, 'empty'), '');
  const spec: BootSpec = { kernel: './kernel', initrd: ['./initrd'], cmdline: 'console=ttyS0 e={{ ID "./empty" }}' };
  const h = await startHttpPixie(t, { plugins: [oneMac(spec)] }, dir);
  const events: Array<{ type: keyof PixieEvents; payload: unknown }> = [];
  for (const type of ['file:served', 'machine:booting', 'machine:booted', 'boot:ignored'] as const) {
    h.pixie.events.on(type, (payload) => void events.push({ type, payload }));
  }
  const script = (await curl(`${h.base}/_/ipxe?mac=${MAC}&arch=x64`)).body.toString();
  const [kernelUrl = '', initrdUrl = '', , emptyUrl = ''] = scriptUrls(script);
  return { ...h, dir, events, script, kernelUrl, initrdUrl, emptyUrl };
}

test('script: 200 with Content-Length for a booted machine, 404 for an ignored one, 400 for a bad query', async (t) => {
  const f = await fixture(t);
  const ok = await curl(`${f.base}/_/ipxe?mac=${MAC.toUpperCase()}&arch=1`);
  t.is(ok.status, 200);
  t.is(Number(ok.headers['content-length']), ok.body.length);
  t.true(ok.body.toString().startsWith('#!ipxe\n'));
  const ignored = await curl(`${f.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`);
  t.is(ignored.status, 404);
  t.is(ignored.body.toString(), 'not booted by pixie\n');
  t.is((await curl(`${f.base}/_/ipxe?mac=nope&arch=x64`)).status, 400);
  t.is((await curl(`${f.base}/_/ipxe?mac=${MAC}&arch=mips`)).status, 400);
  const head = await curl(`${f.base}/_/ipxe?mac=${MAC}&arch=x64`, ['-I']);
  t.is(head.status, 200);
  t.is(Number(head.headers['content-length']), ok.body.length);
});

test('script: a booter that throws gives 500 and a log line, and pixie keeps answering', async (t) => {
  const broken = definePlugin({
    name: 'broken',
    setup(ctx) {
      ctx.tap('boot:decide', async (m) => {
        if (m.mac === MAC) throw new Error('inventory offline');
        return null;
      });
    },
  });
  const h = await startHttpPixie(t, { plugins: [broken] });
  const r = await curl(`${h.base}/_/ipxe?mac=${MAC}&arch=x64`);
  t.is(r.status, 500);
  t.is((await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`)).status, 404);
  t.regex(h.pixie.sink.text(), /boot decision failed, machine ignored: plugin "broken" failed in hook boot:decide: inventory offline/);
});

test('file: full GET streams the right bytes with Content-Length, ETag and Accept-Ranges', async (t) => {
  const f = await fixture(t);
  const r = await curl(f.kernelUrl);
  t.is(r.status, 200);
  t.is(r.headers['content-length'], String(body.length));
  t.is(r.headers['accept-ranges'], 'bytes');
  t.truthy(r.headers.etag);
  t.true(r.body.equals(body));
  const sha = createHash('sha256').update(readFileSync(join(f.dir, 'initrd'))).digest('hex');
  t.is(createHash('sha256').update((await curl(f.initrdUrl)).body).digest('hex'), sha);
});

test('file: HEAD gives the length and no body (curl -I and got)', async (t) => {
  const f = await fixture(t);
  const r = await curl(f.kernelUrl, ['-I']);
  t.is(r.status, 200);
  t.is(r.headers['content-length'], String(body.length));
  t.is(r.body.length, 0);
  const g = await got.head(f.kernelUrl);
  t.is(g.headers['content-length'], String(body.length));
});

test('file: one Range gives 206 with Content-Range; past the end gives 416', async (t) => {
  const f = await fixture(t);
  const r = await curl(f.kernelUrl, ['-r', '100-1099']);
  t.is(r.status, 206);
  t.is(r.headers['content-range'], `bytes 100-1099/${body.length}`);
  t.is(r.headers['content-length'], '1000');
  t.true(r.body.equals(body.subarray(100, 1100)));
  const suffix = await got(f.kernelUrl, { headers: { range: 'bytes=-10' }, responseType: 'buffer' });
  t.is(suffix.statusCode, 206);
  t.true(suffix.body.equals(body.subarray(body.length - 10)));
  const open = await got(f.kernelUrl, { headers: { range: `bytes=${body.length - 5}-` }, responseType: 'buffer' });
  t.true(open.body.equals(body.subarray(body.length - 5)));
  const past = await curl(f.kernelUrl, ['-r', `${body.length}-`]);
  t.is(past.status, 416);
  t.is(past.headers['content-range'], `bytes */${body.length}`);
  // Several ranges: pixie may and does answer with the whole file.
  const multi = await got(f.kernelUrl, { headers: { range: 'bytes=0-1,5-6' }, responseType: 'buffer' });
  t.is(multi.statusCode, 200);
  t.is(multi.body.length, body.length);
});

test('file: If-None-Match gives 304; If-Range with a stale validator gives the whole file', async (t) => {
  const f = await fixture(t);
  const etag = (await got.head(f.kernelUrl)).headers.etag!;
  const nm = await got(f.kernelUrl, { headers: { 'if-none-match': etag }, throwHttpErrors: false });
  t.is(nm.statusCode, 304);
  const stale = await got(f.kernelUrl, { headers: { range: 'bytes=0-9', 'if-range': '"other"' }, responseType: 'buffer' });
  t.is(stale.statusCode, 200);
  const fresh = await got(f.kernelUrl, { headers: { range: 'bytes=0-9', 'if-range': etag }, responseType: 'buffer' });
  t.is(fresh.statusCode, 206);
});

test('file: an empty file is served with Content-Length 0', async (t) => {
  const f = await fixture(t);
  const r = await curl(f.emptyUrl);
  t.is(r.status, 200);
  t.is(r.headers['content-length'], '0');
  t.is(r.body.length, 0);
});

test('file: tampered, truncated or missing IDs get 403 and a log line, never a file', async (t) => {
  const f = await fixture(t);
  const id = new URL(f.kernelUrl).searchParams.get('name')!;
  const flipped = id.slice(0, 10) + (id[10] === 'A' ? 'B' : 'A') + id.slice(11);
  for (const bad of [flipped, id.slice(0, -4), 'AAAA', '../../etc/passwd', '']) {
    const r = await curl(`${f.base}/_/file?name=${encodeURIComponent(bad)}`);
    t.is(r.status, 403, bad);
    t.is(r.body.toString(), 'invalid file ID\n');
  }
  t.is(f.pixie.sink.lines.filter((l) => /refused \/_\/file/.test(l.msg ?? '')).length, 5);
  // An ID minted by another secret is refused as well.
  const r = await curl(`${f.base}/_/file?name=${(await import('../../../core/boot/file-id.js')).createFileIds('another-secret-0123456789').mint('./kernel')}`);
  t.is(r.status, 403);
});

test('file: a genuine ID for a file that is gone gives 404 and a log line naming it', async (t) => {
  const f = await fixture(t);
  const url = `${f.base}/_/file?name=${f.pixie.fileId('./no-such-file')}`;
  const r = await curl(url);
  t.is(r.status, 404);
  t.false(r.body.toString().includes('no-such-file'));
  t.true(f.pixie.sink.text().includes('file not found: ./no-such-file'));
});

test('events: kernel fetch → machine:booting, beacon → machine:booted, every file → file:served', async (t) => {
  const f = await fixture(t);
  await curl(f.kernelUrl);
  await curl(f.kernelUrl, ['-I']);
  await curl(f.initrdUrl);
  const beacon = scriptUrls(f.script).find((u) => u.includes('/_/booting'))!;
  t.is((await curl(beacon)).status, 200);
  t.is((await curl(`${f.base}/_/booting?mac=zz`)).status, 400);
  const types = f.events.map((e) => e.type);
  t.deepEqual(types.filter((x) => x === 'machine:booting').length, 1);
  t.deepEqual(types.filter((x) => x === 'machine:booted').length, 1);
  const served = f.events.filter((e) => e.type === 'file:served').map((e) => e.payload as PixieEvents['file:served']);
  t.deepEqual(served.map((s) => [s.kind, s.mac, s.bytes, s.status]), [
    ['kernel', MAC, body.length, 200],
    ['kernel', MAC, 0, 200],
    ['initrd', MAC, 6, 200],
  ]);
  t.deepEqual(f.events.find((e) => e.type === 'machine:booted')?.payload, { machine: { mac: MAC } });
});

test('firmware: iPXE binaries for UEFI HTTP Boot, with an EFI content type', async (t) => {
  const f = await fixture(t);
  const path = f.pixie.ipxe.pathForName('ipxe.efi');
  t.truthy(path, 'vendor/ipxe/ipxe.efi is shipped');
  const r = await curl(`${f.base}/_/firmware/ipxe.efi`);
  t.is(r.status, 200);
  t.is(r.headers['content-type'], 'application/efi');
  t.true(r.body.equals(readFileSync(path!)));
  t.is((await curl(`${f.base}/_/firmware/..%2Fpackage.json`)).status, 404);
  t.is((await curl(`${f.base}/_/firmware/nope.efi`)).status, 404);
});

test('health, unknown paths and methods', async (t) => {
  const f = await fixture(t);
  const h = await curl(`${f.base}/_/health`);
  t.is(h.status, 200);
  t.deepEqual(JSON.parse(h.body.toString()), { status: 'ok' });
  t.is((await curl(`${f.base}/nope`)).status, 404);
  const post = await curl(`${f.base}/_/health`, ['-X', 'POST']);
  t.is(post.status, 405);
  t.is(post.headers.allow, 'GET, HEAD');
});

test('file: source errors map to 502 (upstream), 404 (not found), 403 (forbidden), 500 (other)', async (t) => {
  const { PixieError } = await import('../../../core/errors.js');
  const failing = definePlugin({
    name: 'failing-source',
    setup(ctx) {
      ctx.tap('file:resolve', async (ref) => {
        if (ref === 'x://up') throw new PixieError('PIXIE_ERR_UPSTREAM', 'upstream down');
        if (ref === 'x://nf') throw new PixieError('PIXIE_ERR_NOT_FOUND', 'no such key');
        if (ref === 'x://fb') throw new PixieError('PIXIE_ERR_FORBIDDEN', 'access denied');
        if (ref === 'x://boom') throw new Error('boom');
        return undefined;
      });
    },
  });
  const h = await startHttpPixie(t, { plugins: [failing] });
  for (const [ref, status] of [['x://up', 502], ['x://nf', 404], ['x://fb', 403], ['x://boom', 500]] as const) {
    const r = await curl(`${h.base}/_/file?name=${h.pixie.fileId(ref)}`);
    t.is(r.status, status, ref);
  }
  t.regex(h.pixie.sink.text(), /cannot serve a file \(file\): plugin "failing-source" failed in hook file:resolve: boom/);
});

test('file: a client that disconnects mid-transfer leaves no open file behind', async (t) => {
  const { readdir, open: openFile } = await import('node:fs/promises');
  const dir = await mkdtemp(join(tmpdir(), 'pixie-http-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const fh = await openFile(join(dir, 'big'), 'w');
  await fh.truncate(256 * 1024 * 1024);
  await fh.close();
  const h = await startHttpPixie(t, {}, dir);
  const served: Array<PixieEvents['file:served']> = [];
  h.pixie.events.on('file:served', (e) => void served.push(e));
  const fds = async () => (await readdir('/proc/self/fd')).length;
  const before = await fds();
  const url = `${h.base}/_/file?name=${h.pixie.fileId('./big')}`;
  for (let i = 0; i < 3; i++) {
    await new Promise<void>((resolve) => {
      const s = got.stream(url);
      let got1 = 0;
      s.on('data', (c: Buffer) => {
        got1 += c.length;
        if (got1 > 1 << 20) s.destroy();
      });
      s.on('close', () => resolve());
      s.on('error', () => resolve());
    });
  }
  // Wait until the server noticed all three disconnects.
  for (let i = 0; i < 100 && served.length < 3; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(served.length, 3);
  for (const e of served) t.true(e.bytes < 256 * 1024 * 1024);
  t.true((await fds()) <= before + 1, 'file descriptors are closed');
  t.is((await curl(`${h.base}/_/health`)).status, 200);
});
