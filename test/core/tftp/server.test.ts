/**
 * pixie's TFTP server against real clients on loopback (unprivileged port):
 * tftp-hpa, atftp and curl each fetch a 40 MiB generated file byte-identical,
 * with blksize 512 (more than 65535 blocks: the block number wraps) and 1468,
 * and atftp with windowsize 16. Plus refusals and a client that vanishes.
 */
import test from 'ava';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEvents } from '../../../core/events.js';
import { isPixieError } from '../../../core/errors.js';
import { bindError } from '../../../core/tftp/listeners.js';
import { createTftpServer, type TftpServer } from '../../../core/tftp/server.js';
import { recordEvents, sinkLogger } from './helpers/fake-io.js';
import { dirResolver, sha256File, writePatternFile } from './helpers/files.js';
import { requireTool, run } from './helpers/tools.js';

const SIZE = 40 * 1024 * 1024;
let dir: string;
let digest: string;
let server: TftpServer;
let port: number;
const { log, lines } = sinkLogger();
const events = createEvents(log);
const seen = recordEvents(events);

test.before(async () => {
  requireTool('tftp', 'tftp-hpa');
  requireTool('atftp', 'atftp');
  requireTool('curl', 'curl');
  dir = await mkdtemp(join(tmpdir(), 'pxt-tftp-'));
  digest = await writePatternFile(join(dir, 'big.bin'), SIZE);
  await writePatternFile(join(dir, 'small.bin'), 300_000, 42);
  server = createTftpServer({ listenAddr: '127.0.0.1', port: 0, log, events, resolve: dirResolver(dir), retransmitMs: 300, maxRetries: 3 });
  await server.start();
  port = server.address().port;
});

test.after.always(async () => {
  await server?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const fetchers: Array<[string, (out: string) => [string, string[]]]> = [
  ['tftp-hpa, blksize 512 (block numbers wrap)', (out) => ['tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'get', 'big.bin', out]]],
  ['atftp, blksize 512 (block numbers wrap)', (out) => ['atftp', ['-g', '-r', 'big.bin', '-l', out, '127.0.0.1', String(port)]]],
  ['atftp, blksize 1468', (out) => ['atftp', ['--option', 'blksize 1468', '-g', '-r', 'big.bin', '-l', out, '127.0.0.1', String(port)]]],
  ['atftp, blksize 1468 + windowsize 16', (out) => ['atftp', ['--option', 'blksize 1468', '--option', 'windowsize 16', '-g', '-r', 'big.bin', '-l', out, '127.0.0.1', String(port)]]],
  ['curl, blksize 512 (block numbers wrap)', (out) => ['curl', ['-sS', '--tftp-blksize', '512', '-o', out, `tftp://127.0.0.1:${port}/big.bin`]]],
  ['curl, blksize 1468', (out) => ['curl', ['-sS', '--tftp-blksize', '1468', '-o', out, `tftp://127.0.0.1:${port}/big.bin`]]],
];

for (const [title, command] of fetchers) {
  test.serial(`${title}: 40 MiB byte-identical`, async (t) => {
    const out = join(dir, `out-${Math.random().toString(36).slice(2)}`);
    const before = seen.length;
    const [cmd, args] = command(out);
    const r = await run(cmd, args, { timeoutMs: 100_000 });
    t.is(r.code, 0, `${cmd} failed: ${r.stdout}${r.stderr}`);
    t.is(await sha256File(out), digest);
    await rm(out);
    const done = seen.slice(before).find((e) => e.type === 'tftp:done');
    t.like(done?.payload, { filename: 'big.bin', bytes: SIZE });
    t.is(server.activeTransfers, 0);
  });
}

test.serial('tftp-hpa: a write request is refused (ERROR 2)', async (t) => {
  const r = await run('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'put', join(dir, 'small.bin'), 'upload.bin'], { cwd: dir });
  t.regex(r.stdout + r.stderr, /Error code 2: server is read-only/);
  t.true(lines.some((l) => /write request for "upload.bin" refused/.test(l.msg)));
});

for (const name of ['../etc/passwd', '/etc/passwd', 'a/../../small.bin']) {
  test.serial(`tftp-hpa: traversal name ${name} is refused (ERROR 2)`, async (t) => {
    const r = await run('tftp', ['-m', 'binary', '127.0.0.1', String(port), '-c', 'get', name, join(dir, 'x')]);
    t.regex(r.stdout + r.stderr, /Error code 2: access violation/);
    t.true(lines.some((l) => l.msg.includes('unsafe name') && l.msg.includes(name)));
  });
}

test.serial('curl: a missing file is TFTP error 1 (curl exit 68)', async (t) => {
  const r = await run('curl', ['-sS', '-o', '/dev/null', `tftp://127.0.0.1:${port}/missing.bin`]);
  t.is(r.code, 68, r.stderr);
});

test.serial('a client that vanishes mid-transfer frees its session', async (t) => {
  const before = seen.length;
  const child = spawn('atftp', ['-g', '-r', 'big.bin', '-l', '/dev/null', '127.0.0.1', String(port)], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (server.activeTransfers === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  t.is(server.activeTransfers, 1, 'the transfer started');
  child.kill('SIGKILL');
  while (server.activeTransfers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  t.is(server.activeTransfers, 0);
  t.true(seen.slice(before).some((e) => e.type === 'tftp:error'));
  // and the server still serves
  const r = await run('curl', ['-sS', '-o', join(dir, 'after'), `tftp://127.0.0.1:${port}/small.bin`]);
  t.is(r.code, 0, r.stderr);
});

test.serial('a client that goes silent (frozen, no ICMP) is dropped after its retries', async (t) => {
  const before = seen.length;
  const child = spawn('atftp', ['-g', '-r', 'big.bin', '-l', '/dev/null', '127.0.0.1', String(port)], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 15_000;
    while (server.activeTransfers === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGSTOP'); // its socket stays open: no port-unreachable, just silence
    while (server.activeTransfers > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    t.is(server.activeTransfers, 0);
    const failure = seen.slice(before).find((e) => e.type === 'tftp:error');
    t.like(failure?.payload, { filename: 'big.bin', message: 'no ACK after 3 retransmissions' });
  } finally {
    child.kill('SIGKILL');
  }
});

test.serial('a second server on the same port fails with PIXIE_ERR_BIND naming the fix', async (t) => {
  const other = createTftpServer({ listenAddr: '127.0.0.1', port, log, events, resolve: dirResolver(dir) });
  const err = await t.throwsAsync(other.start());
  t.true(isPixieError(err) && err.code === 'PIXIE_ERR_BIND');
  t.regex(err?.message ?? '', /in use/);
});

test('bind errors explain privileged ports and missing addresses', (t) => {
  t.regex(bindError({ code: 'EACCES' }, '0.0.0.0', 69).message, /root or the CAP_NET_BIND_SERVICE capability/);
  t.regex(bindError({ code: 'EADDRNOTAVAIL' }, '10.9.9.9', 69).message, /no such address/);
});
