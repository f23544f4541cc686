import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { sampleMachine } from '../helpers/pixie.js';
import type { BootSpec } from '../../core/boot/spec.js';

const root = join(import.meta.dirname, '..', '..');
/** A config that keeps network services off, so the CLI can run in-process. */
function offlineDir(extra: Record<string, unknown> = {}): string {
  const d = mkdtempSync(join(tmpdir(), 'pixie-cli-'));
  writeFileSync(
    join(d, 'pixie.config.json'),
    JSON.stringify({ dhcp: { enabled: false }, tftp: { enabled: false }, http: { enabled: false }, logFormat: 'json', ...extra }),
  );
  return d;
}

for (const cmd of [[], ['boot'], ['api'], ['quick']]) {
  test(`pixie ${cmd.join(' ')} --help is complete`, async (t) => {
    const r = await runCli([...cmd, '--help']);
    t.is(r.code, 0);
    for (const flag of ['--listen-addr', '--port', '--dhcp-no-bind', '--ipxe-bios', '--ipxe-efi32', '--ipxe-efi64', '--ipxe-ipxe', '--debug', '--log-format', '--config', '--plugin']) {
      t.true(r.stdout.includes(flag), `${flag} missing from help`);
    }
    if (cmd[0] === 'boot') t.regex(r.stdout, /--cmdline[\s\S]*--bootmsg/);
    if (cmd[0] === 'api') t.regex(r.stdout, /--api-request-timeout[\s\S]*default: "5s"/);
    if (cmd[0] === 'quick') t.regex(r.stdout, /--arch[\s\S]*--mirror[\s\S]*--list/);
  });
}

test('--plugin ./path loads a custom plugin whose decision the core returns', async (t) => {
  let spec: BootSpec | null = null;
  const r = await runCli(['--plugin', join(root, 'examples/custom-plugin/lab-rack.js'), '--log-format', 'json'], {
    cwd: offlineDir(),
    onStarted: async (p) => {
      spec = await p.decide(sampleMachine());
    },
  });
  t.is(r.code, 0, r.stderr);
  t.is(spec!.cmdline, 'console=ttyS0 profile=install');
  t.regex(r.stderr, /pixie is ready \(plugins: core, .*lab-rack/);
});

test('unknown plugin: exit 2 and one paragraph naming what was tried', async (t) => {
  const r = await runCli(['--plugin', 'nope'], { cwd: offlineDir() });
  t.is(r.code, 2);
  t.regex(r.stderr, /^pixie: Unknown plugin "nope"\. Tried: .*pixie-plugin-nope.*\n {2}\(PIXIE_ERR_PLUGIN_LOAD/m);
});

test('bad config file: exit 2 naming key, value and rule', async (t) => {
  const r = await runCli([], { cwd: offlineDir({ port: 0 }) });
  t.is(r.code, 2);
  t.regex(r.stderr, /"port" is 0: Too small/);
});

test('bad flag value: exit 2', async (t) => {
  const r = await runCli(['--port', 'eighty']);
  t.is(r.code, 2);
  t.regex(r.stderr, /--port must be a whole number/);
  const r2 = await runCli(['--listen-addr', '300.1.1.1'], { cwd: offlineDir() });
  t.is(r2.code, 2);
  t.regex(r2.stderr, /"listenAddr" is "300\.1\.1\.1"/);
});

test('bad plugin options: exit 2 naming the plugin and option', async (t) => {
  const r = await runCli(['--config', 'pixie.config.json'], {
    cwd: offlineDir({ plugins: [[join(root, 'examples/custom-plugin/lab-rack.js'), { machines: { x: 'reboot' } }]] }),
  });
  t.is(r.code, 2);
  t.regex(r.stderr, /Invalid options for plugin "lab-rack": "machines\.x" is "reboot"/);
});

test('pixie plugins lists the built-ins and how to add more', async (t) => {
  const r = await runCli(['plugins']);
  t.is(r.code, 0);
  t.regex(r.stdout, /Built-in plugins/);
  t.regex(r.stdout, /--plugin \.\/my-plugin\.js/);
});

test('PIXIE_SECRET is used when --secret is absent', async (t) => {
  let secret: string | undefined;
  await runCli([], { cwd: offlineDir(), env: { PIXIE_SECRET: 'from-the-environment-123' }, onStarted: (p) => void (secret = p.config.secret) });
  t.is(secret, 'from-the-environment-123');
});

test('server flags work after the command and before it; after wins', async (t) => {
  const d = offlineDir();
  writeFileSync(join(d, 'vmlinuz'), 'k');
  const seen: Array<{ port: number; logFormat: string; debug: boolean }> = [];
  const grab = (p: { config: { port: number; logFormat: string; debug: boolean } }) =>
    void seen.push({ port: p.config.port, logFormat: p.config.logFormat, debug: p.config.debug });
  t.is((await runCli(['boot', './vmlinuz', '--port', '8080', '--log-format', 'pretty'], { cwd: d, onStarted: grab })).code, 0);
  t.is((await runCli(['--port', '8081', '-d', 'boot', './vmlinuz'], { cwd: d, onStarted: grab })).code, 0);
  t.is((await runCli(['--port', '8081', 'api', 'http://127.0.0.1:9/', '--port', '8082'], { cwd: d, onStarted: grab })).code, 0);
  t.deepEqual(seen, [
    { port: 8080, logFormat: 'pretty', debug: false },
    { port: 8081, logFormat: 'json', debug: true },
    { port: 8082, logFormat: 'json', debug: false },
  ]);
});

test('plugin flags are accepted after a command and turn the plugin on', async (t) => {
  const d = offlineDir();
  writeFileSync(join(d, 'vmlinuz'), 'k');
  let plugins: readonly string[] = [];
  const r = await runCli(['boot', './vmlinuz', '--webhook-url', 'http://127.0.0.1:9/hook', '--webhook-max-queue', '5'], {
    cwd: d,
    onStarted: (p) => void (plugins = p.plugins),
  });
  t.is(r.code, 0, r.stderr);
  t.true(plugins.includes('webhook'));
  t.true(plugins.includes('static'));
  const r2 = await runCli(['api', 'http://127.0.0.1:9/', '--api-request-timeout', '2s', '--webhook-url', 'http://127.0.0.1:9/h'], {
    cwd: d,
    onStarted: (p) => void (plugins = p.plugins),
  });
  t.is(r2.code, 0, r2.stderr);
  t.deepEqual(plugins.filter((n) => n === 'api' || n === 'webhook'), ['api', 'webhook']);
});
