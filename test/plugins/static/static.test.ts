/**
 * `pixie boot ./vmlinuz ./initrd.gz --cmdline 'x={{ ID "./extra.txt" }}'`
 * end to end through the HTTP routes (the config the CLI builds), plus the
 * start-up checks.
 */
import test from 'ava';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PixieError, type ErrorCode } from '../../../core/errors.js';
import { curl, scriptUrls, startHttpPixie } from '../../core/http/helpers.js';
import { testPixie, sampleMachine } from '../../helpers/pixie.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

async function makeFiles(t: import('ava').ExecutionContext) {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-static-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const content = { vmlinuz: randomBytes(300_000), 'initrd.gz': randomBytes(70_000), 'extra.txt': Buffer.from('extra config\n') };
  for (const [name, data] of Object.entries(content)) await writeFile(join(dir, name), data);
  await mkdir(join(dir, 'a-dir'));
  return { dir, content };
}

test('pixie boot: the script references three signed URLs and each serves the right bytes', async (t) => {
  const { dir, content } = await makeFiles(t);
  const h = await startHttpPixie(
    t,
    { plugins: [['static', { kernel: './vmlinuz', initrd: ['./initrd.gz'], cmdline: 'x={{ ID "./extra.txt" }}', message: 'pixie boot test' }]] },
    dir,
  );
  const r = await curl(`${h.base}/_/ipxe?mac=52:54:00:aa:bb:cc&arch=x64`);
  t.is(r.status, 200);
  const script = r.body.toString();
  t.true(script.startsWith('#!ipxe\necho pixie boot test\n'));
  const files = scriptUrls(script).filter((u) => u.includes('/_/file?'));
  t.is(files.length, 3);
  const [kernel, initrd, extra] = files as [string, string, string];
  // Signed and opaque: no path shows through.
  for (const u of files) t.notRegex(u, /vmlinuz|initrd\.gz|extra\.txt/);
  t.regex(script, new RegExp(`^boot kernel initrd=initrd0 x=${extra.replace(/[?.]/g, '\\$&')}$`, 'm'));
  t.is(sha((await curl(kernel)).body), sha(content.vmlinuz));
  t.is(sha((await curl(initrd)).body), sha(content['initrd.gz']));
  t.is((await curl(extra)).body.toString(), 'extra config\n');
  // Every machine gets the same spec.
  const other = (await curl(`${h.base}/_/ipxe?mac=52:54:00:00:00:09&arch=x64`)).body.toString();
  t.is(other.replaceAll('52:54:00:00:00:09', '52:54:00:aa:bb:cc'), script);
});

test('one BootSpec object for every machine, initrd accepts a single string', async (t) => {
  const { dir } = await makeFiles(t);
  const p = testPixie({ plugins: [['static', { kernel: './vmlinuz', initrd: './initrd.gz' }]] }, dir);
  t.teardown(() => p.stop());
  await p.ready();
  const a = await p.hooks['boot:decide'].promise(sampleMachine());
  const b = await p.hooks['boot:decide'].promise(sampleMachine({ mac: '52:54:00:00:00:01', arch: 'arm64' }));
  t.is(a, b);
  t.deepEqual(a?.initrd, ['./initrd.gz']);
  t.true(Object.isFrozen(a));
});

test('start-up checks name the missing file, a directory, and a bad template', async (t) => {
  const { dir } = await makeFiles(t);
  const cases: Array<[Record<string, unknown>, ErrorCode, RegExp]> = [
    [{ kernel: './nope' }, 'PIXIE_ERR_FILE_NOT_FOUND', /kernel "\.\/nope" does not exist \(looked at .*\/nope\)/],
    [{ kernel: './vmlinuz', initrd: ['./initrd.gz', './gone.img'] }, 'PIXIE_ERR_FILE_NOT_FOUND', /initrd #2 "\.\/gone\.img" does not exist/],
    [{ kernel: './a-dir' }, 'PIXIE_ERR_FILE_NOT_FOUND', /not a regular file/],
    [{ kernel: './vmlinuz', cmdline: 'x={{ ID "./missing.yml" }}' }, 'PIXIE_ERR_FILE_NOT_FOUND', /file named in the cmdline "\.\/missing\.yml"/],
    [{ kernel: './vmlinuz', cmdline: 'x={{ ID ./extra.txt }}' }, 'PIXIE_ERR_TEMPLATE', /Invalid cmdline template at line 1, column 9/],
    [{ kernel: './vmlinuz', cmdline: 'a\nb' }, 'PIXIE_ERR_TEMPLATE', /newline/],
    [{ kernel: './vmlinuz', cmdline: 'a\u0007b' }, 'PIXIE_ERR_TEMPLATE', /control character 0x07/],
    [{ kernel: './vmlinuz', perArch: { arm64: { kernel: './Image' } } }, 'PIXIE_ERR_FILE_NOT_FOUND', /kernel for arm64 "\.\/Image"/],
    [{ kernel: './vmlinuz', perArch: { mips: { kernel: './x' } } }, 'PIXIE_ERR_PLUGIN_OPTIONS', /perArch/],
    [{}, 'PIXIE_ERR_PLUGIN_OPTIONS', /kernel/],
  ];
  for (const [options, code, message] of cases) {
    const p = testPixie({ plugins: [['static', options]] }, dir);
    const err = await t.throwsAsync(p.ready(), { instanceOf: PixieError }, JSON.stringify(options));
    t.is(err?.code, code, JSON.stringify(options));
    t.regex(err?.message ?? '', message);
    await p.stop();
  }
});

test('remote references are not checked at start-up', async (t) => {
  const { dir } = await makeFiles(t);
  const p = testPixie({ plugins: [['static', { kernel: 'http://files.example/vmlinuz', initrd: ['s3://bucket/initrd'], cmdline: 'x={{ URL "https://files.example/ks.cfg" }}' }]] }, dir);
  t.teardown(() => p.stop());
  await t.notThrowsAsync(p.ready());
});
