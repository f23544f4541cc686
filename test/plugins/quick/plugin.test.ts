/** The quick plugin inside pixie, `--list` and `quick <recipe> --help`. */
import test from 'ava';
import { PixieError } from '../../../core/errors.js';
import { listRecipes, recipeHelp } from '../../../plugins/quick/index.js';
import { RECIPES } from '../../../plugins/quick/recipes/index.js';
import { testPixie, sampleMachine } from '../../helpers/pixie.js';
import { runCli } from '../../helpers/cli.js';

const D = 'https://deb.debian.org/debian/dists/stable/main';

test('without --arch each machine gets its own architecture\'s build', async (t) => {
  const p = testPixie({ plugins: [['quick', { recipe: 'debian' }]] });
  await p.ready();
  const x64 = await p.decide(sampleMachine({ mac: '52:54:00:00:00:01', arch: 'x64', firmware: 'bios' }));
  const arm = await p.decide(sampleMachine({ mac: '52:54:00:00:00:02', arch: 'arm64', firmware: 'efi' }));
  t.is(x64?.kernel, `${D}/installer-amd64/current/images/netboot/debian-installer/amd64/linux`);
  t.is(arm?.kernel, `${D}/installer-arm64/current/images/netboot/debian-installer/arm64/linux`);
  // Same inputs, same (frozen) object: the script cache keys on it.
  t.is(await p.decide(sampleMachine({ mac: '52:54:00:00:00:03' })), x64);
  t.true(Object.isFrozen(x64));
  await p.stop();
});

test('a machine whose architecture the recipe lacks is ignored, with a log line', async (t) => {
  const p = testPixie({ plugins: [['quick', { recipe: 'arch' }]] });
  await p.ready();
  t.is(await p.decide(sampleMachine({ arch: 'arm64', firmware: 'efi' })), null);
  const line = p.sink.lines.find((l) => l.plugin === 'quick' && String(l.msg).startsWith('machine ignored'));
  t.regex(String(line?.msg), /recipe arch has no arm64 build \(it has x64; --arch picks one for every machine\)/);
  await p.stop();
});

test('--arch, --mirror, version, extra cmdline and message apply to every machine', async (t) => {
  const p = testPixie({
    plugins: [['quick', { recipe: 'fedora', version: '43', arch: 'aarch64', mirror: 'http://mirror.lab/fedora/', cmdline: 'console=ttyAMA0 inst.text', message: 'installing' }]],
  });
  await p.ready();
  const tree = 'http://mirror.lab/fedora/releases/43/Everything/aarch64/os';
  t.deepEqual(await p.decide(sampleMachine({ arch: 'x64' })), {
    kernel: `${tree}/images/pxeboot/vmlinuz`,
    initrd: [`${tree}/images/pxeboot/initrd.img`],
    cmdline: `inst.repo=${tree}/ ip=dhcp console=ttyAMA0 inst.text`,
    message: 'installing',
  });
  await p.stop();
});

test('netboot.xyz: BIOS machines get the .lkrn, UEFI machines the .efi', async (t) => {
  const p = testPixie({ plugins: [['quick', { recipe: 'xyz' }]] });
  await p.ready();
  t.regex((await p.decide(sampleMachine({ mac: '52:54:00:00:00:01', firmware: 'bios' })))?.kernel ?? '', /netboot\.xyz\.lkrn$/);
  t.regex((await p.decide(sampleMachine({ mac: '52:54:00:00:00:02', firmware: 'efi' })))?.kernel ?? '', /netboot\.xyz\.efi$/);
  await p.stop();
});

const BAD: Array<[Record<string, unknown>, RegExp]> = [
  [{ recipe: 'coreos' }, /Unknown quick recipe "coreos"\. Recipes: xyz, debian, .*flatcar/],
  [{ recipe: 'debian', version: 'buster' }, /Recipe debian has no version "buster"\. Versions: stable, oldstable/],
  [{ recipe: 'ubuntu', arch: 'arm64' }, /Recipe ubuntu has no build for architecture "arm64"; it has: amd64/],
  [{ recipe: 'debian', mirror: 'deb.debian.org' }, /mirror/],
  [{ recipe: 'debian', cmdline: 'x={{ ID }}' }, /cmdline template/],
];

for (const [options, why] of BAD) {
  test(`bad quick options stop start-up: ${JSON.stringify(options)}`, async (t) => {
    const p = testPixie({ plugins: [['quick', options]] });
    const err = await t.throwsAsync(p.ready(), { instanceOf: PixieError });
    t.regex(err?.message ?? '', why);
  });
}

test('listRecipes names every recipe with its default version, arches and mirror', (t) => {
  const text = listRecipes();
  for (const r of RECIPES) {
    t.regex(text, new RegExp(`^  ${r.name} +${r.description.replace(/[().]/g, '\\$&')}`, 'm'));
    t.true(text.includes(`versions: ${r.versions[0]} (default)`));
    t.true(text.includes(`mirror:   ${r.mirror}`));
  }
});

test('recipeHelp explains one recipe, or names them all', (t) => {
  t.regex(recipeHelp(['debian']), /Recipe debian: Debian installer[\s\S]*versions: stable \(default\), oldstable[\s\S]*pixie quick debian stable/);
  t.regex(recipeHelp([]), /Recipes: xyz, debian, ubuntu, fedora, alma, rocky, centos, arch, alpine, flatcar\./);
  t.regex(recipeHelp(['nope']), /pixie quick --list/);
});

test('CLI: pixie quick --list prints the recipes and exits 0', async (t) => {
  const r = await runCli(['quick', '--list']);
  t.is(r.code, 0);
  t.is(r.stdout, listRecipes());
});

test('CLI: pixie quick debian --help shows the flags and the recipe\'s versions', async (t) => {
  const r = await runCli(['quick', 'debian', '--help']);
  t.is(r.code, 0);
  t.regex(r.stdout, /--arch <arch>[\s\S]*--mirror <url>[\s\S]*--cmdline <cmdline>[\s\S]*--list/);
  t.regex(r.stdout, /Recipe debian: Debian installer \(netboot\)\n {2}versions: stable \(default\), oldstable, testing, unstable, trixie, bookworm, forky, sid/);
});

test('CLI: an unknown version exits 2 with the list of versions', async (t) => {
  const r = await runCli(['quick', 'debian', 'hamm', '--port', '8089', '-l', '127.0.0.1']);
  t.is(r.code, 2);
  t.regex(r.stderr, /Recipe debian has no version "hamm"\. Versions: stable/);
});
