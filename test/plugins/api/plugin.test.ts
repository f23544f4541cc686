/** The api plugin's options and its life inside pixie (cache, headers, stop). */
import test from 'ava';
import { apiOptions } from '../../../plugins/api/index.js';
import { PixieError } from '../../../core/errors.js';
import { flagsToConfig } from '../../../cli/server-options.js';
import { testPixie, sampleMachine } from '../../helpers/pixie.js';
import { startApiServer } from './api-server.js';

test('options: defaults are Pixiecore\'s (5 s, no headers, no arch)', (t) => {
  t.deepEqual(apiOptions.parse({ url: 'http://api.example' }), { url: 'http://api.example', timeoutMs: 5000, headers: {}, sendArch: false });
});

test('options: durations, header lines and header objects', (t) => {
  const o = apiOptions.parse({ url: 'https://a.example/x', timeoutMs: '1.5s', headers: ['Authorization: Bearer abc:def', 'X-Rack:  r12 '] });
  t.is(o.timeoutMs, 1500);
  t.deepEqual(o.headers, { Authorization: 'Bearer abc:def', 'X-Rack': 'r12' });
  t.deepEqual(apiOptions.parse({ url: 'http://a', headers: { 'X-A': '1' } }).headers, { 'X-A': '1' });
});

const BAD_OPTIONS: Array<[unknown, RegExp]> = [
  [{}, /url/],
  [{ url: 'ftp://x' }, /http:\/\/ or https:\/\//],
  [{ url: 'http://x', timeoutMs: 'soon' }, /positive duration/],
  [{ url: 'http://x', timeoutMs: 0 }, /positive duration/],
  [{ url: 'http://x', headers: ['NoColon'] }, /must look like 'Name: value'/],
  [{ url: 'http://x', headers: ['Bad Name: v'] }, /not a valid header name/],
  [{ url: 'http://x', headers: { 'X-A': 'a\r\nInjected: 1' } }, /line break/],
  [{ url: 'http://x', nope: 1 }, /nope/],
];

for (const [input, why] of BAD_OPTIONS) {
  test(`options refused: ${JSON.stringify(input)}`, (t) => {
    const r = apiOptions.safeParse(input);
    t.false(r.success);
    if (!r.success) t.regex(JSON.stringify(r.error.issues), why);
  });
}

test('bad options stop pixie at start-up with PIXIE_ERR_PLUGIN_OPTIONS', async (t) => {
  const p = testPixie({ plugins: [['api', { url: 'http://x', headers: ['nope'] }]] });
  const err = await t.throwsAsync(p.ready(), { instanceOf: PixieError });
  t.is(err?.code, 'PIXIE_ERR_PLUGIN_OPTIONS');
  t.regex(err?.message ?? '', /plugin "api"/);
});

test('extra headers and ?arch=&firmware= are sent only when configured', async (t) => {
  const server = await startApiServer(() => ({ status: 200, body: { kernel: '/k' } }));
  t.teardown(() => server.close());
  const plain = testPixie({ decisionCacheMs: 0, plugins: [['api', { url: server.origin }]] });
  await plain.ready();
  await plain.decide(sampleMachine({ mac: '52:54:00:aa:00:01' }));
  await plain.stop();
  const extra = testPixie({
    decisionCacheMs: 0,
    plugins: [['api', { url: `${server.origin}/`, headers: ['Authorization: Bearer s3cret', 'X-Site: lab'], sendArch: true }]],
  });
  await extra.ready();
  await extra.decide(sampleMachine({ mac: '52:54:00:aa:00:02', arch: 'arm64', firmware: 'efi' }));
  await extra.stop();

  const [a, b] = server.requests;
  t.is(a?.url, '/v1/boot/52:54:00:aa:00:01');
  t.is(a?.headers.authorization, undefined);
  t.is(b?.url, '/v1/boot/52:54:00:aa:00:02?arch=arm64&firmware=efi');
  t.is(b?.headers.authorization, 'Bearer s3cret');
  t.is(b?.headers['x-site'], 'lab');
  // The secret header never reaches the log.
  t.false(JSON.stringify(extra.sink.lines).includes('s3cret'));
});

test('one boot asks the API once: the decision cache absorbs repeated and concurrent asks', async (t) => {
  const server = await startApiServer(() => ({ status: 200, body: { kernel: '/k' } }));
  t.teardown(() => server.close());
  const p = testPixie({ plugins: [['api', { url: server.origin }]] });
  await p.ready();
  const m = sampleMachine();
  const answers = await Promise.all([p.decide(m), p.decide(m), p.decide(m)]);
  await p.decide({ ...m, stage: 'ipxe' });
  t.true(answers.every((a) => a?.kernel === `${server.origin}/k`));
  t.is(server.requests.length, 1);
  await p.stop();
});

test('a 500 is not cached (the next step asks again); a 404 is the API\'s answer and is cached', async (t) => {
  let n = 0;
  const server = await startApiServer((url) => (url.includes(':02') ? { status: 404 } : n++ === 0 ? { status: 500 } : { status: 200, body: { kernel: '/k' } }));
  t.teardown(() => server.close());
  const p = testPixie({ plugins: [['api', { url: server.origin }]] });
  await p.ready();
  t.is(await p.decide(sampleMachine()), null);
  t.is((await p.decide(sampleMachine()))?.kernel, `${server.origin}/k`);
  const other = sampleMachine({ mac: '52:54:00:12:34:02' });
  t.is(await p.decide(other), null);
  t.is(await p.decide(other), null);
  t.is(server.requests.filter((r) => r.url.includes(':02')).length, 1);
  await p.stop();
});

test('stopping pixie aborts a pending API request quietly', async (t) => {
  const server = await startApiServer(() => ({ hang: true }));
  t.teardown(() => server.close());
  const p = testPixie({ plugins: [['api', { url: server.origin, timeoutMs: 30_000 }]] });
  await p.ready();
  const started = Date.now();
  const pending = p.decide(sampleMachine());
  while (server.requests.length === 0) await new Promise((r) => setTimeout(r, 10));
  await p.stop();
  t.is(await pending, null);
  t.true(Date.now() - started < 5000);
  const line = p.sink.lines.find((l) => l.plugin === 'api' && l.reason === 'aborted');
  t.is(line?.level, 20);
  t.regex(String(line?.msg), /machine ignored: pixie is stopping/);
});

test('credentials in the base URL stay out of log lines', async (t) => {
  const server = await startApiServer(() => ({ status: 404 }));
  t.teardown(() => server.close());
  const p = testPixie({ decisionCacheMs: 0, plugins: [['api', { url: `http://user:pw@127.0.0.1:${server.port}/` }]] });
  await p.ready();
  t.is(await p.decide(sampleMachine()), null);
  t.is(server.requests[0]?.headers.authorization, `Basic ${Buffer.from('user:pw').toString('base64')}`);
  const text = JSON.stringify(p.sink.lines);
  t.false(text.includes('pw@'));
  t.regex(text, /GET http:\/\/127\.0\.0\.1:\d+\/v1\/boot\//);
  await p.stop();
});

test('generic form: --api-url/--api-request-timeout/--api-header/--api-send-arch become valid api options', (t) => {
  const cfg = flagsToConfig({ apiUrl: 'http://inv.example/pixie', apiRequestTimeout: '2s', apiHeader: ['Authorization: Bearer t'], apiSendArch: true }, {});
  const entry = cfg.plugins?.find((p) => Array.isArray(p) && p[0] === 'api') as [string, unknown] | undefined;
  t.deepEqual(apiOptions.parse(entry?.[1]), { url: 'http://inv.example/pixie', timeoutMs: 2000, headers: { Authorization: 'Bearer t' }, sendArch: true });
});
