/**
 * Boot API v1 compatibility, table-driven: a local API server on 127.0.0.1
 * answers each MAC with one response shape or one failure, and pixie (api
 * plugin, network services off) is asked to decide for that MAC. Every
 * failure must give `null` (machine ignored), one log line saying which and
 * why, and leave pixie deciding for the next machine as before.
 */
import test from 'ava';
import { gzipSync } from 'node:zlib';
import type { BootSpec } from '../../../core/boot/spec.js';
import { testPixie, sampleMachine } from '../../helpers/pixie.js';
import { startApiServer, type ApiServer, type Reply } from './api-server.js';

const TIMEOUT_MS = 400;
const MIB = 1024 * 1024;

interface Case {
  name: string;
  reply: (origin: string) => Reply;
  /** Expected BootSpec (success cases). */
  want?: (origin: string) => BootSpec;
  /** Expected log line (failure cases). */
  ignored?: { level: 'info' | 'warn'; reason: string; msg: RegExp };
}

const ok = (body: unknown): Reply => ({ status: 200, body });
const padTo = (json: string, bytes: number) => json + ' '.repeat(bytes - Buffer.byteLength(json));

const CASES: Case[] = [
  // --- response shapes ---
  {
    name: 'kernel only',
    reply: () => ok({ kernel: 'https://boot.example/vmlinuz' }),
    want: () => ({ kernel: 'https://boot.example/vmlinuz', initrd: [] }),
  },
  {
    name: 'kernel, initrds in order, cmdline string, message',
    reply: () => ok({ kernel: 'https://b.example/k', initrd: ['https://b.example/i1', 'https://b.example/i2'], cmdline: 'console=ttyS0 quiet', message: 'hello' }),
    want: () => ({ kernel: 'https://b.example/k', initrd: ['https://b.example/i1', 'https://b.example/i2'], cmdline: 'console=ttyS0 quiet', message: 'hello' }),
  },
  {
    name: 'relative URLs resolve against <base>/v1 (RFC 3986)',
    reply: () => ok({ kernel: '/boot/vmlinuz', initrd: ['initrd.gz', './a/b.img', '../up.img', '//cdn.example/x.img'] }),
    want: (o) => ({
      kernel: `${o}/boot/vmlinuz`,
      initrd: [`${o}/pixie/initrd.gz`, `${o}/pixie/a/b.img`, `${o}/up.img`, 'http://cdn.example/x.img'],
    }),
  },
  {
    name: 'file:// and other schemes stay as they are',
    reply: () => ok({ kernel: 'file:///srv/boot/vmlinuz', initrd: ['s3://bucket/initrd'] }),
    want: () => ({ kernel: 'file:///srv/boot/vmlinuz', initrd: ['s3://bucket/initrd'] }),
  },
  {
    name: 'cmdline URL templates get absolute URLs',
    reply: () => ok({ kernel: '/k', cmdline: 'ks={{ URL "ks.cfg" }} ign={{ URL "https://cfg.example/x.ign" }} console=ttyS0' }),
    want: (o) => ({ kernel: `${o}/k`, initrd: [], cmdline: `ks={{ URL "${o}/pixie/ks.cfg" }} ign={{ URL "https://cfg.example/x.ign" }} console=ttyS0` }),
  },
  {
    name: 'deprecated cmdline object renders as Pixiecore does',
    reply: () => ok({ kernel: '/k', cmdline: { quiet: true, console: 'ttyS0,115200', ks: { url: 'ks.cfg' }, 'x.y': 'a "b"' } }),
    want: (o) => ({ kernel: `${o}/k`, initrd: [], cmdline: `console="ttyS0,115200" ks={{ URL "${o}/pixie/ks.cfg" }} quiet x.y="a \\"b\\""` }),
  },
  {
    name: 'ipxe-script is served verbatim and wins over the other fields',
    reply: () => ok({ 'ipxe-script': '#!ipxe\necho {{ not a template }}\nshell\n', kernel: '/ignored', cmdline: 7 }),
    want: () => ({ ipxeScript: '#!ipxe\necho {{ not a template }}\nshell\n' }),
  },
  {
    name: 'field names match case-insensitively, unknown fields and nulls are ignored (Go encoding/json)',
    reply: () => ok({ Kernel: '/k', INITRD: ['/i'], Cmdline: null, message: null, extra: { anything: 1 }, 'ipxe-script': '' }),
    want: (o) => ({ kernel: `${o}/k`, initrd: [`${o}/i`] }),
  },
  {
    name: 'a body of exactly 1 MiB is accepted',
    reply: () => ({ status: 200, body: padTo('{"kernel":"/k"}', MIB) }),
    want: (o) => ({ kernel: `${o}/k`, initrd: [] }),
  },
  {
    name: 'gzip-encoded answers are decoded',
    reply: () => ({ status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync('{"kernel":"/gz"}') }),
    want: (o) => ({ kernel: `${o}/gz`, initrd: [] }),
  },
  {
    name: 'redirects are followed (as Go http.Client does)',
    reply: (o) => ({ status: 302, headers: { location: `${o}/moved/elsewhere` }, body: '' }),
    want: (o) => ({ kernel: `${o}/after-redirect`, initrd: [] }),
  },
  // --- statuses ---
  { name: '404', reply: () => ({ status: 404, body: 'not mine' }), ignored: { level: 'info', reason: 'status', msg: /the API answered 404 Not Found \(GET http/ } },
  { name: '500', reply: () => ({ status: 500, body: '{"kernel":"/k"}' }), ignored: { level: 'warn', reason: 'status', msg: /answered 500 Internal Server Error/ } },
  { name: '204', reply: () => ({ status: 204 }), ignored: { level: 'warn', reason: 'status', msg: /answered 204 No Content/ } },
  { name: '201 with a valid body', reply: () => ({ status: 201, body: { kernel: '/k' } }), ignored: { level: 'warn', reason: 'status', msg: /answered 201 Created/ } },
  // --- transport ---
  { name: 'timeout (headers, then nothing)', reply: () => ({ hang: true }), ignored: { level: 'warn', reason: 'timeout', msg: new RegExp(`no complete answer within ${TIMEOUT_MS} ms`) } },
  {
    name: 'slow drip (a byte every 100 ms for 3 s)',
    reply: () => ({ drip: { chunk: ' ', everyMs: 100, count: 30 } }),
    ignored: { level: 'warn', reason: 'timeout', msg: /no complete answer within/ },
  },
  { name: 'connection reset', reply: () => ({ reset: true }), ignored: { level: 'warn', reason: 'transport', msg: /the request failed: socket hang up/ } },
  // --- bodies ---
  { name: 'garbage', reply: () => ({ status: 200, body: '<html>oops</html>' }), ignored: { level: 'warn', reason: 'json', msg: /bad API response: the body is not valid JSON/ } },
  { name: 'empty body', reply: () => ({ status: 200, body: '' }), ignored: { level: 'warn', reason: 'json', msg: /not valid JSON/ } },
  { name: 'truncated JSON', reply: () => ({ status: 200, body: '{"kernel": "/k"' }), ignored: { level: 'warn', reason: 'json', msg: /not valid JSON/ } },
  { name: 'JSON array', reply: () => ok([{ kernel: '/k' }]), ignored: { level: 'warn', reason: 'schema', msg: /the body is an array, not a JSON object/ } },
  { name: 'JSON null', reply: () => ({ status: 200, body: 'null' }), ignored: { level: 'warn', reason: 'schema', msg: /the body is null/ } },
  { name: 'kernel is a number', reply: () => ok({ kernel: 5 }), ignored: { level: 'warn', reason: 'schema', msg: /does not match the boot API v1 format: kernel:/ } },
  { name: 'initrd is a string', reply: () => ok({ kernel: '/k', initrd: '/i' }), ignored: { level: 'warn', reason: 'schema', msg: /initrd:/ } },
  { name: 'no kernel, no ipxe-script', reply: () => ok({ cmdline: 'x' }), ignored: { level: 'warn', reason: 'schema', msg: /neither a "kernel" nor an "ipxe-script"/ } },
  { name: 'cmdline is a number', reply: () => ok({ kernel: '/k', cmdline: 3 }), ignored: { level: 'warn', reason: 'schema', msg: /cmdline must be a string or an object, not a number/ } },
  { name: 'bad kernel URL', reply: () => ok({ kernel: '/k%zz' }), ignored: { level: 'warn', reason: 'url', msg: /kernel: "\/k%zz" is not a URL/ } },
  { name: 'cmdline object with a number', reply: () => ok({ kernel: '/k', cmdline: { mem: 512 } }), ignored: { level: 'warn', reason: 'cmdline', msg: /cmdline key "mem" is a number/ } },
  { name: 'cmdline object without url', reply: () => ok({ kernel: '/k', cmdline: { ks: { href: '/x' } } }), ignored: { level: 'warn', reason: 'cmdline', msg: /without a string "url"/ } },
  { name: 'cmdline uses ID', reply: () => ok({ kernel: '/k', cmdline: 'x={{ ID "/etc/shadow" }}' }), ignored: { level: 'warn', reason: 'cmdline', msg: /API mode does not offer/ } },
  { name: 'cmdline template syntax error', reply: () => ok({ kernel: '/k', cmdline: 'x={{ URL "a" ' }), ignored: { level: 'warn', reason: 'cmdline', msg: /Invalid cmdline template at line 1/ } },
  { name: 'cmdline with a newline', reply: () => ok({ kernel: '/k', cmdline: 'a\nb' }), ignored: { level: 'warn', reason: 'cmdline', msg: /newline/ } },
  { name: 'cmdline with a control character', reply: () => ok({ kernel: '/k', cmdline: 'a\x01b' }), ignored: { level: 'warn', reason: 'cmdline', msg: /control character 0x01/ } },
  // --- size ---
  {
    name: 'huge body with Content-Length',
    reply: () => ({ status: 200, body: padTo('{"kernel":"/k"}', MIB + 1) }),
    ignored: { level: 'warn', reason: 'too-large', msg: /larger than 1 MiB \(Content-Length: 1048577\)/ },
  },
  {
    name: 'huge streamed body (no Content-Length)',
    reply: () => ({ streamBytes: 8 * MIB }),
    ignored: { level: 'warn', reason: 'too-large', msg: /larger than 1 MiB \(\d+ bytes received so far\)/ },
  },
  {
    name: 'gzip bomb (5 KiB on the wire, 5 MiB decoded)',
    reply: () => ({ status: 200, headers: { 'content-encoding': 'gzip' }, body: gzipSync(' '.repeat(5 * MIB)) }),
    ignored: { level: 'warn', reason: 'too-large', msg: /larger than 1 MiB/ },
  },
];

const macOf = (i: number) => `52:54:00:00:01:${i.toString(16).padStart(2, '0')}`;
const GOOD_MAC = '52:54:00:00:02:00';

let server: ApiServer;
let pixie: ReturnType<typeof testPixie>;

test.before(async () => {
  server = await startApiServer((url) => {
    if (url.startsWith('/moved/')) return ok({ kernel: '/after-redirect' });
    const m = /^\/pixie\/v1\/boot\/([0-9a-f:]{17})$/.exec(url);
    if (!m) return undefined;
    if (m[1] === GOOD_MAC) return ok({ kernel: '/good' });
    const i = CASES.findIndex((_, j) => macOf(j) === m[1]);
    return i < 0 ? undefined : CASES[i]!.reply(server.origin);
  });
  pixie = testPixie({ decisionCacheMs: 0, plugins: [['api', { url: `${server.origin}/pixie`, timeoutMs: TIMEOUT_MS }]] });
  await pixie.ready();
});

test.after.always(async () => {
  await pixie?.stop();
  await server?.close();
});

const LEVELS = { info: 30, warn: 40 } as const;

for (const [i, c] of CASES.entries()) {
  test(`${c.want ? 'boots' : 'ignores'}: ${c.name}`, async (t) => {
    const mac = macOf(i);
    const spec = await pixie.decide(sampleMachine({ mac }));
    if (c.want) {
      t.deepEqual(spec, c.want(server.origin));
    } else {
      t.is(spec, null);
      const lines = pixie.sink.lines.filter((l) => l.mac === mac && l.plugin === 'api' && String(l.msg).startsWith('machine ignored'));
      t.is(lines.length, 1, `one log line for ${mac}: ${JSON.stringify(lines)}`);
      const line = lines[0]!;
      t.is(line.level, LEVELS[c.ignored!.level]);
      t.is(line.plugin, 'api');
      t.is(line.reason, c.ignored!.reason);
      t.regex(String(line.msg), c.ignored!.msg);
    }
    // pixie keeps deciding for other machines.
    t.deepEqual(await pixie.decide(sampleMachine({ mac: GOOD_MAC })), { kernel: `${server.origin}/good`, initrd: [] });
  });
}

test('requests are GET <base>/v1/boot/<lower-case mac>, no query, no body', async (t) => {
  await pixie.decide(sampleMachine({ mac: GOOD_MAC }));
  const seen = server.requests.filter((r) => r.url.endsWith(GOOD_MAC));
  t.true(seen.length > 0);
  for (const r of seen) {
    t.is(r.method, 'GET');
    t.is(r.url, `/pixie/v1/boot/${GOOD_MAC}`);
    t.is(r.headers['content-length'], undefined);
  }
});

test('a refused connection ignores the machine with a transport log line', async (t) => {
  const gone = await startApiServer(() => undefined);
  await gone.close();
  const p = testPixie({ decisionCacheMs: 0, plugins: [['api', { url: gone.origin, timeoutMs: TIMEOUT_MS }]] });
  await p.ready();
  t.is(await p.decide(sampleMachine()), null);
  const line = p.sink.lines.find((l) => l.reason === 'transport');
  t.regex(String(line?.msg), /machine ignored: the request failed: connect ECONNREFUSED 127\.0\.0\.1:\d+/);
  t.is(line?.level, 40);
  await p.stop();
});
