/**
 * The built-in iPXE script renderer, fetched with curl from a running pixie:
 * golden scripts per BootSpec (test/fixtures/http/*.ipxe; UPDATE_FIXTURES=1
 * rewrites them), verbatim scripts, per-arch specs, user templates and render
 * functions, and bad templates.
 */
import test from 'ava';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { definePlugin } from '../../../core/plugin.js';
import { PixieError, type ErrorCode } from '../../../core/errors.js';
import type { BootSpec } from '../../../core/boot/spec.js';
import { curl, startHttpPixie } from '../../core/http/helpers.js';
import { testPixie } from '../../helpers/pixie.js';
import type { RenderInput } from '../../../plugins/ipxe-script/index.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/http/', import.meta.url));

/** Golden cases: name → [mac, arch, spec]. */
const CASES: Record<string, [string, string, BootSpec]> = {
  'kernel-initrds-cmdline': [
    '52:54:00:00:00:01',
    'x64',
    { kernel: './vmlinuz', initrd: ['./initrd.img', 'http://files.example/extra.cpio'], cmdline: 'console=ttyS0 cfg={{ ID "./cloud.yml" }} quiet', message: 'Installing rack 7' },
  ],
  'kernel-only': ['52:54:00:00:00:02', 'x64', { kernel: 'file:///srv/vmlinuz' }],
  'escaped-words': [
    '52:54:00:00:00:03',
    '0',
    { kernel: './vmlinuz', cmdline: 'a # b || c && d ; e BOOTIF=${mac} root=/dev/sda1', message: '#1 build\n-v ; done' },
  ],
  verbatim: ['52:54:00:00:00:04', 'x64', { kernel: './ignored', ipxeScript: '#!ipxe\nchain http://boot.example/menu.ipxe\n' }],
  'per-arch-arm64': [
    '52:54:00:00:00:05',
    'arm64',
    { kernel: './vmlinuz', cmdline: 'x86', perArch: { arm64: { kernel: './Image', initrd: ['./initrd-arm64'], cmdline: 'console=ttyAMA0' } } },
  ],
};

const booter = (specs: ReadonlyMap<string, BootSpec>) =>
  definePlugin({
    name: 'table',
    setup(ctx) {
      ctx.tap('boot:decide', async (m) => specs.get(m.mac) ?? null);
    },
  });

test('golden scripts per BootSpec', async (t) => {
  const specs = new Map(Object.values(CASES).map(([mac, , spec]) => [mac, spec]));
  const h = await startHttpPixie(t, { plugins: [booter(specs)] });
  for (const [name, [mac, arch]] of Object.entries(CASES)) {
    const r = await curl(`${h.base}/_/ipxe?mac=${mac}&arch=${arch}`);
    t.is(r.status, 200, name);
    const script = r.body.toString().replaceAll(h.base, 'http://PIXIE');
    const path = join(FIXTURES, `${name}.ipxe`);
    if (process.env.UPDATE_FIXTURES) await writeFile(path, script);
    t.is(script, await readFile(path, 'utf8'), `${name} differs from ${path} (UPDATE_FIXTURES=1 rewrites it)`);
  }
});

test('scripts are cached per spec but stay per machine and address', async (t) => {
  const spec: BootSpec = { kernel: './k' };
  const h = await startHttpPixie(t, { plugins: [booter(new Map([['52:54:00:00:00:01', spec], ['52:54:00:00:00:02', spec]]))] });
  const a = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`)).body.toString();
  const a2 = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`)).body.toString();
  const b = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:02&arch=x64`)).body.toString();
  t.is(a, a2);
  t.not(a, b);
  t.true(b.includes('mac=52:54:00:00:00:02'));
});

async function tmpDir(t: import('ava').ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-ipxe-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('a user template file gets the variables and ID/URL', async (t) => {
  const dir = await tmpDir(t);
  await writeFile(
    join(dir, 'boot.ipxe.tmpl'),
    '#!ipxe\necho {{ .MAC }} {{ .Arch }} {{ .Firmware }}\n{{ .Echo }}\nkernel {{ .Kernel }} {{ .InitrdArgs }} {{ .Cmdline }}\n{{ .Initrds }}\nimgfetch {{ .Booting }} ||\nchain {{ ID "./menu.ipxe" }}\n# {{ .Base }}\n',
  );
  const spec: BootSpec = { kernel: './k', initrd: ['./i'], cmdline: 'quiet', message: 'hi' };
  const h = await startHttpPixie(t, { plugins: [['ipxe-script', { template: 'boot.ipxe.tmpl' }], booter(new Map([['52:54:00:00:00:01', spec]]))] }, dir);
  const s = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`)).body.toString();
  const lines = s.split('\n');
  t.is(lines[0], '#!ipxe');
  t.is(lines[1], 'echo 52:54:00:00:00:01 x64 efi');
  t.is(lines[2], 'echo hi');
  t.regex(lines[3]!, new RegExp(`^kernel ${h.base}/_/file\\?name=[\\w-]+&type=kernel&mac=52:54:00:00:00:01 initrd=initrd0 quiet$`));
  t.regex(lines[4]!, /^initrd --name initrd0 http:\/\/.*type=initrd/);
  t.is(lines[5], `imgfetch ${h.base}/_/booting?mac=52:54:00:00:00:01 ||`);
  t.is(lines[6], `chain ${h.base}/_/file?name=${h.pixie.fileId('./menu.ipxe')}`);
  t.is(lines[7], `# ${h.base}`);
});

test('a render function can rewrite the script per machine, or fall back to the default', async (t) => {
  const spec: BootSpec = { kernel: './k', cmdline: 'quiet' };
  const h = await startHttpPixie(t, {
    plugins: [
      [
        'ipxe-script',
        {
          render: (input: RenderInput) => (input.machine.mac.endsWith('01') ? `${input.script}# extra ${input.fileUrl('./x')}\n` : undefined),
        },
      ],
      booter(new Map([['52:54:00:00:00:01', spec], ['52:54:00:00:00:02', spec]])),
    ],
  });
  const one = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`)).body.toString();
  const two = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:02&arch=x64`)).body.toString();
  t.true(one.endsWith(`# extra ${h.base}/_/file?name=${h.pixie.fileId('./x')}\n`));
  t.true(two.startsWith('#!ipxe\n') && !two.includes('# extra'));
});

test('template problems are start-up errors', async (t) => {
  const dir = await tmpDir(t);
  await writeFile(join(dir, 'bad.tmpl'), '#!ipxe\nkernel {{ .Kernal }}\n');
  await writeFile(join(dir, 'nomagic.tmpl'), 'kernel {{ .Kernel }}\n');
  const cases: Array<[unknown, ErrorCode, RegExp]> = [
    [{ template: 'missing.tmpl' }, 'PIXIE_ERR_FILE_NOT_FOUND', /missing\.tmpl cannot be read/],
    [{ template: 'bad.tmpl' }, 'PIXIE_ERR_TEMPLATE', /bad\.tmpl at line 2, column 11: unknown variable \.Kernal/],
    [{ template: 'nomagic.tmpl' }, 'PIXIE_ERR_TEMPLATE', /must start with "#!ipxe"/],
    [{ template: 'x', render: () => '' }, 'PIXIE_ERR_PLUGIN_OPTIONS', /not both/],
  ];
  for (const [options, code, message] of cases) {
    const p = testPixie({ plugins: [['ipxe-script', options]] }, dir);
    const err = await t.throwsAsync(p.ready(), { instanceOf: PixieError });
    t.is(err?.code, code);
    t.regex(err?.message ?? '', message);
    await p.stop();
  }
});

test('a bad cmdline template from a booter ignores the machine (404) with a log line', async (t) => {
  const h = await startHttpPixie(t, { plugins: [booter(new Map([['52:54:00:00:00:01', { kernel: './k', cmdline: 'x={{ ID nope }}' }]]))] });
  const r = await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`);
  t.is(r.status, 404);
  t.regex(h.pixie.sink.text(), /machine ignored: cannot render the iPXE script: .*Invalid cmdline template at line 1, column 9/);
});

test('a BootSpec with neither kernel nor script is a 500 with a log line', async (t) => {
  const h = await startHttpPixie(t, { plugins: [booter(new Map([['52:54:00:00:00:01', { cmdline: 'x' }]]))] });
  const r = await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:01&arch=x64`);
  t.is(r.status, 500);
  t.regex(h.pixie.sink.text(), /neither a kernel nor an ipxeScript/);
});
