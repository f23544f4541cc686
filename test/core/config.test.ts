import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, mergeConfig, validateConfig } from '../../core/config.js';
import { PixieError } from '../../core/errors.js';

const dir = () => mkdtempSync(join(tmpdir(), 'pixie-config-'));

test('defaults follow Pixiecore', (t) => {
  const c = validateConfig({});
  t.is(c.listenAddr, '0.0.0.0');
  t.is(c.port, 80);
  t.is(c.dhcpNoBind, false);
  t.deepEqual(c.dhcp, { enabled: true, port: 67, pxePort: 4011 });
  t.is(c.tftp.port, 69);
  t.true(Object.isFrozen(c));
});

test('errors name the key, the bad value and what is allowed', (t) => {
  const e = t.throws(() => validateConfig({ port: 'eighty', listenAddr: '1.2.3', logFormat: 'xml' }), { instanceOf: PixieError });
  t.is(e.code, 'PIXIE_ERR_CONFIG');
  t.regex(e.message, /"port" is "eighty": .*expected number/);
  t.regex(e.message, /"listenAddr" is "1\.2\.3": an IPv4 address/);
  t.regex(e.message, /"logFormat" is "xml": .*"auto"\|"pretty"\|"json"/);
});

test('unknown keys are reported, nested ones with their path', (t) => {
  const e = t.throws(() => validateConfig({ prot: 80, tftp: { prot: 69 } }));
  t.regex(e.message, /unknown key "prot"/);
  t.regex(e.message, /unknown key "tftp\.prot"/);
});

test('json, yaml and js config files are found; flags win', async (t) => {
  const d1 = dir();
  writeFileSync(join(d1, 'pixie.config.json'), JSON.stringify({ port: 8080, debug: true }));
  const a = await loadConfig({ cwd: d1, overrides: { port: 9090 } });
  t.is(a.config.port, 9090);
  t.true(a.config.debug);
  t.is(a.baseDir, d1);

  const d2 = dir();
  writeFileSync(join(d2, 'pixie.config.yaml'), 'listenAddr: 10.0.0.1\ntftp:\n  port: 6969\n');
  const b = await loadConfig({ cwd: d2, overrides: { tftp: { maxTransfers: 5 } } });
  t.is(b.config.listenAddr, '10.0.0.1');
  t.deepEqual(b.config.tftp, { enabled: true, port: 6969, maxTransfers: 5 });

  const d3 = dir();
  writeFileSync(join(d3, 'pixie.config.mjs'), 'export default { port: 81, plugins: [["static", { kernel: "k" }]] };\n');
  const c = await loadConfig({ cwd: d3, overrides: { plugins: [['static', { cmdline: 'x' }], 'api'] } });
  t.is(c.config.port, 81);
  t.deepEqual(c.config.plugins, [['static', { kernel: 'k', cmdline: 'x' }], 'api']);
});

test('package.json#pixie is a config source', async (t) => {
  const d = dir();
  writeFileSync(join(d, 'package.json'), JSON.stringify({ name: 'x', pixie: { port: 8181 } }));
  t.is((await loadConfig({ cwd: d })).config.port, 8181);
});

test('--config with a missing or broken file is a clear error', async (t) => {
  const d = dir();
  const e1 = await t.throwsAsync(loadConfig({ cwd: d, file: 'nope.json' }));
  t.regex(e1.message, /Cannot read config file .*nope\.json/);
  writeFileSync(join(d, 'bad.json'), '{ "port": ');
  const e2 = await t.throwsAsync(loadConfig({ cwd: d, file: 'bad.json' }));
  t.is((e2 as PixieError).code, 'PIXIE_ERR_CONFIG');
  writeFileSync(join(d, 'bad.yaml'), 'port: 99999\n');
  const e3 = await t.throwsAsync(loadConfig({ cwd: d, file: 'bad.yaml' }));
  t.regex(e3.message, /bad\.yaml merged with flags\): "port" is 99999/);
});

test('mergeConfig merges nested objects and plugin options', (t) => {
  t.deepEqual(mergeConfig({ ipxe: { bios: 'a', efi64: 'b' } }, { ipxe: { efi64: 'c' } }), { ipxe: { bios: 'a', efi64: 'c' } });
  t.deepEqual(mergeConfig({ plugins: ['api'] }, { plugins: [['api', { url: 'u' }]] }), { plugins: [['api', { url: 'u' }]] });
});
