/**
 * `npm run demo` end to end (the real scripts/demo.mjs entry: package check, tsx
 * hand-over, dnsmasq + pixie + a BIOS VM in a private namespace), plus the
 * transcript helpers.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { REPO_ROOT } from './harness.js';
import { bootPath, prettyLogLine } from './demo.js';

test('prettyLogLine shows level, MAC and message of pixie JSON lines and passes other text through', (t) => {
  t.is(prettyLogLine('{"level":30,"mac":"aa:bb:cc:dd:ee:ff","msg":"machine booted"}'), 'info  aa:bb:cc:dd:ee:ff machine booted');
  t.is(prettyLogLine('{"level":40,"plugin":"api","msg":"API down"}'), 'warn  [api] API down');
  t.is(prettyLogLine('plain text'), 'plain text');
  t.is(prettyLogLine('{not json'), '{not json');
});

test('bootPath names the steps seen on the console', (t) => {
  t.is(bootPath('iPXE 1.0.0\nhttp://10.77.0.1/_/ipxe... ok\nipxe : 630 bytes [script]\n'), 'DHCP → iPXE → HTTP script → kernel → init');
  t.is(bootPath('Downloading NBP file...\niPXE 1.21.1\nboot : 100 bytes [script]'), 'DHCP → TFTP → iPXE → HTTP script → kernel → init');
});

test('npm run demo boots a VM from pixie and exits 0 with a summary', async (t) => {
  t.timeout(300_000);
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'demo.mjs')], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let transcript = '';
  child.stdout.on('data', (d: Buffer) => (transcript += d.toString()));
  child.stderr.on('data', (d: Buffer) => (transcript += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  t.is(code, 0, transcript);
  t.regex(transcript, /VM [0-9a-f:]{17} booted in \d+\.\d s: DHCP → .*iPXE → HTTP script → kernel → init/);
  t.regex(transcript, /PIXIE-E2E-FETCH hello from a file pixie served by \{\{ ID \}\}/);
  t.regex(transcript, /==> cleaning up/);
});
