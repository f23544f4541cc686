/**
 * The golden test: pixie in API mode, asking examples/api-example (started
 * here), serves the same iPXE script as pixie in static mode given the same
 * kernel, initrds and cmdline — byte for byte, over HTTP on 127.0.0.1 —
 * and that script is test/fixtures/api/golden-script.ipxe
 * (`UPDATE_FIXTURES=1` rewrites it).
 */
import test from 'ava';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { PixieConfigInput } from '../../../core/config.js';
import { testPixie } from '../../helpers/pixie.js';
import { startExample } from './example-process.js';
import { startApiServer } from './api-server.js';

const GOLDEN = join(import.meta.dirname, '..', '..', 'fixtures', 'api', 'golden-script.ipxe');
const MAC = '52:54:00:12:34:56';

// Loopback URLs on the discard port: nothing fetches them while a script is rendered.
const KERNEL = 'http://127.0.0.1:9/tinycore/vmlinuz64';
const INITRDS = ['http://127.0.0.1:9/tinycore/rootfs.gz', 'http://127.0.0.1:9/tinycore/modules64.gz'];
const CFG = 'http://127.0.0.1:9/tinycore/cloud.yml';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** Start pixie with HTTP on 127.0.0.1:<port>, fetch the machine's script, stop. */
async function scriptFrom(plugins: PixieConfigInput['plugins'], query = `mac=${MAC}&arch=x64`): Promise<{ status: number; text: string; port: number }> {
  const port = await freePort();
  const pixie = testPixie({ http: { enabled: true }, listenAddr: '127.0.0.1', port, plugins });
  await pixie.start();
  try {
    const res = await fetch(`http://127.0.0.1:${port}/_/ipxe?${query}`);
    return { status: res.status, text: await res.text(), port };
  } finally {
    await pixie.stop();
  }
}

test.serial('API mode against api-example = static mode = golden script', async (t) => {
  const api = await startExample('api-example/server.js', [
    '-kernel', KERNEL,
    '-initrd', INITRDS[0]!,
    '-initrd', INITRDS[1]!,
    '-cmdline', `console=ttyS0 cfg={{ URL "${CFG}" }} quiet`,
    '-message', 'Booting Tiny Core',
  ]);
  t.teardown(() => api.stop());

  const fromApi = await scriptFrom([['api', { url: api.origin }]]);
  const fromStatic = await scriptFrom([
    ['static', { kernel: KERNEL, initrd: INITRDS, cmdline: `console=ttyS0 cfg={{ ID "${CFG}" }} quiet`, message: 'Booting Tiny Core' }],
  ]);
  t.is(fromApi.status, 200);
  t.is(fromStatic.status, 200);
  const normal = (r: { text: string; port: number }) => r.text.replaceAll(`127.0.0.1:${r.port}`, 'PIXIE');
  t.is(normal(fromApi), normal(fromStatic));
  await t.notThrowsAsync(api.waitFor(new RegExp(`boot request for ${MAC}`)));

  if (process.env.UPDATE_FIXTURES === '1') await writeFile(GOLDEN, normal(fromApi));
  t.is(normal(fromApi), await readFile(GOLDEN, 'utf8'));
});

test.serial('the golden script names each file through a signed URL that opens to the API\'s URL', async (t) => {
  const golden = await readFile(GOLDEN, 'utf8');
  const pixie = testPixie();
  const refs = [...golden.matchAll(/name=([A-Za-z0-9_-]+)/g)].map((m) => pixie.fileIds.open(m[1]!));
  t.deepEqual(refs, [KERNEL, ...INITRDS, CFG]);
  t.regex(golden, /^#!ipxe\n/);
  t.regex(golden, /^boot kernel initrd=initrd0 initrd=initrd1 console=ttyS0 cfg=http:\/\/PIXIE\/_\/file\?name=\S+ quiet$/m);
});

test('ipxe-script from the API is served verbatim; an API failure is a 404 and the server keeps serving', async (t) => {
  const script = '#!ipxe\necho from the API {{ untouched }}\nsanboot --no-describe --drive 0x80\n';
  const server = await startApiServer((url) =>
    url.endsWith(MAC) ? { status: 200, body: { 'ipxe-script': script } } : url.endsWith('02:00:00:00:00:01') ? { status: 500 } : undefined,
  );
  t.teardown(() => server.close());
  const port = await freePort();
  const pixie = testPixie({ http: { enabled: true }, listenAddr: '127.0.0.1', port, decisionCacheMs: 0, plugins: [['api', { url: server.origin }]] });
  await pixie.start();
  t.teardown(() => pixie.stop());
  const get = (mac: string) => fetch(`http://127.0.0.1:${port}/_/ipxe?mac=${mac}&arch=x64`);
  const ok = await get(MAC);
  t.is(ok.status, 200);
  t.is(await ok.text(), script);
  t.is((await get('02:00:00:00:00:01')).status, 404);
  t.regex(pixie.sink.text(), /machine ignored: the API answered 500 Internal Server Error/);
  t.is((await get(MAC)).status, 200);
});
