/**
 * The example API servers (examples/api-example, examples/api-per-mac),
 * started as child processes on 127.0.0.1 and asked by pixie's api plugin.
 */
import test from 'ava';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../../core/config.js';
import { createPixie } from '../../../core/pixie.js';
import { testPixie, sampleMachine, OFFLINE } from '../../helpers/pixie.js';
import { logSink } from '../../helpers/log.js';
import { EXAMPLES, startExample } from './example-process.js';

test('api-example answers every machine with its flags, as static mode would', async (t) => {
  const api = await startExample('api-example/server.js', [
    '-kernel', '/files/vmlinuz',
    '-initrd', 'https://boot.example/initrd-a.img',
    '--initrd=https://boot.example/initrd-b.img',
    '-cmdline', 'console=ttyS0 ks={{ URL "/ks.cfg" }}',
    '-message', 'hi',
  ]);
  t.teardown(() => api.stop());
  const p = testPixie({ decisionCacheMs: 0, plugins: [['api', { url: api.origin }]] });
  await p.ready();
  for (const mac of ['52:54:00:12:34:56', '02:00:00:00:00:01']) {
    t.deepEqual(await p.decide(sampleMachine({ mac })), {
      kernel: `${api.origin}/files/vmlinuz`,
      initrd: ['https://boot.example/initrd-a.img', 'https://boot.example/initrd-b.img'],
      cmdline: `console=ttyS0 ks={{ URL "${api.origin}/ks.cfg" }}`,
      message: 'hi',
    });
  }
  await t.notThrowsAsync(api.waitFor(/boot request for 02:00:00:00:00:01/));
  await p.stop();
});

test('api-example defaults to Tiny Core Linux, like Pixiecore\'s', async (t) => {
  const api = await startExample('api-example/server.js', []);
  t.teardown(() => api.stop());
  const p = testPixie({ plugins: [['api', { url: api.origin }]] });
  await p.ready();
  const spec = await p.decide(sampleMachine());
  t.regex(spec?.kernel ?? '', /^http:\/\/tinycorelinux\.net\/\d+\.x\/x86\/release\/distribution_files\/vmlinuz64$/);
  t.is(spec?.initrd?.length, 2);
  await p.stop();
});

test('api-example refuses unknown flags', async (t) => {
  await t.throwsAsync(startExample('api-example/server.js', ['-nope', '1']), { message: /exited with 2: api-example: unknown argument -nope/ });
});

test('api-per-mac: profiles per MAC, relative /files/ URLs, unknown machines and a broken file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-api-per-mac-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'files'));
  await writeFile(join(dir, 'files', 'vmlinuz'), 'kernel bytes');
  const machines = join(dir, 'machines.json');
  await writeFile(
    machines,
    JSON.stringify({
      profiles: {
        web: { kernel: '/files/vmlinuz', initrd: ['/files/initrd.img'], cmdline: 'role=web' },
        script: { 'ipxe-script': '#!ipxe\nshell\n' },
      },
      machines: { '52:54:00:00:00:0A': 'web', '52-54-00-00-00-0b': 'script' },
      default: null,
    }),
  );
  const api = await startExample('api-per-mac/server.js', ['-machines', machines, '-files', join(dir, 'files')]);
  t.teardown(() => api.stop());
  const p = testPixie({ decisionCacheMs: 0, plugins: [['api', { url: api.origin }]] });
  await p.ready();

  const web = await p.decide(sampleMachine({ mac: '52:54:00:00:00:0a' }));
  t.deepEqual(web, { kernel: `${api.origin}/files/vmlinuz`, initrd: [`${api.origin}/files/initrd.img`], cmdline: 'role=web' });
  t.is(await (await fetch(web!.kernel!)).text(), 'kernel bytes');
  t.deepEqual(await p.decide(sampleMachine({ mac: '52:54:00:00:00:0b' })), { ipxeScript: '#!ipxe\nshell\n' });

  t.is(await p.decide(sampleMachine({ mac: '52:54:00:00:00:0c' })), null);
  const unknown = p.sink.lines.find((l) => l.mac === '52:54:00:00:00:0c' && l.plugin === 'api');
  t.is(unknown?.level, 30);
  t.regex(String(unknown?.msg), /machine ignored: the API answered 404 Not Found/);

  // Edits apply at the next request; a broken file is a 500, and the server keeps running.
  await writeFile(machines, '{ "machines": ');
  t.is(await p.decide(sampleMachine({ mac: '52:54:00:00:00:0a' })), null);
  const broken = p.sink.lines.filter((l) => l.mac === '52:54:00:00:00:0a' && l.plugin === 'api' && l.level === 40);
  t.regex(String(broken.at(-1)?.msg), /answered 500 Internal Server Error/);
  await writeFile(machines, JSON.stringify({ profiles: { x: { kernel: 'https://k.example/k' } }, default: 'x' }));
  t.is((await p.decide(sampleMachine({ mac: '52:54:00:00:00:0c' })))?.kernel, 'https://k.example/k');
  await p.stop();
});

for (const dir of ['api-example', 'api-per-mac']) {
  test(`examples/${dir}/pixie.config.js loads the api plugin pointed at 127.0.0.1:4242`, async (t) => {
    const { config, baseDir } = await loadConfig({ cwd: join(EXAMPLES, dir), overrides: OFFLINE });
    t.deepEqual(config.plugins[0]?.[1 as never], { url: 'http://127.0.0.1:4242', ...(dir === 'api-example' ? { timeoutMs: 5000 } : {}) });
    const p = createPixie(config, { log: logSink().log, baseDir });
    await p.ready();
    t.true(p.plugins.includes('api'));
    await p.stop();
  });
}
