/**
 * pixie's TFTP server in a network namespace, reached over veth from a client
 * namespace: replies come from the address the request was sent to
 * (multi-homed), new addresses are picked up, and with 5 % loss, 1 %
 * duplication and 25 % reordering on the link (netem's
 * `loss 5% duplicate 1% reorder 25% 50%` with a 1 ms delay, applied by
 * helpers/impair.py since this kernel lacks sch_netem) every client still
 * gets its file byte-identical.
 */
import test from 'ava';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLab, startServerIn, type Lab, type ServerProcess } from './helpers/netns.js';
import { sha256File, writePatternFile } from './helpers/files.js';
import { requireTool, run, sh } from './helpers/tools.js';

const SERVER = '10.77.0.1';
const SECONDARY = '10.77.0.2';
const LATE = '10.77.0.3';
const CLIENT = '10.77.0.10';
let lab: Lab | undefined;
let lossyLab: Lab | undefined;
let lossyServer: ServerProcess | undefined;
let server: ServerProcess | undefined;
let dir: string;
const digests = new Map<string, string>();

test.before(async () => {
  for (const [tool, pkg] of [['tftp', 'tftp-hpa'], ['atftp', 'atftp'], ['curl', 'curl'], ['ip', 'iproute2'], ['python3', 'python3']] as const) requireTool(tool, pkg);
  dir = await mkdtemp(join(tmpdir(), 'pxt-tftp-ns-'));
  for (const [name, size] of [['half.bin', 512 * 1024], ['one.bin', 1024 * 1024], ['two.bin', 2 * 1024 * 1024], ['small.bin', 4000]] as const) {
    digests.set(name, await writePatternFile(join(dir, name), size, size));
  }
  lab = await createLab('n', [SERVER, SECONDARY], CLIENT);
  server = await startServerIn(lab.server, ['0.0.0.0', '69', dir]);
});

test.after.always(async () => {
  await server?.stop();
  await lossyServer?.stop();
  await lab?.destroy();
  await lossyLab?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const inNs = (ns: string, cmd: string, args: string[], timeoutMs = 90_000) => run('ip', ['netns', 'exec', ns, cmd, ...args], { timeoutMs });
const inClient = (cmd: string, args: string[]) => inNs(lab!.client, cmd, args);

/** Send one RRQ from the client namespace and report where the first answer came from. */
async function firstReplyFrom(to: string): Promise<{ address: string; op: number }> {
  const script = `
    const s = require('node:dgram').createSocket('udp4');
    const rrq = Buffer.from('\\0\\x01small.bin\\0octet\\0', 'latin1');
    s.on('message', (m, r) => { console.log(JSON.stringify({ address: r.address, op: m[1] }));
      s.send(Buffer.from('\\0\\x05\\0\\0done\\0', 'latin1'), r.port, r.address, () => process.exit(0)); });
    s.send(rrq, 69, ${JSON.stringify(to)});
    setTimeout(() => { console.log('{"address":"none","op":0}'); process.exit(1); }, 1500);`;
  const r = await inClient(process.execPath, ['-e', script]);
  return JSON.parse(r.stdout.trim()) as { address: string; op: number };
}

test.serial('multi-homed: each transfer answers from the address the request was sent to', async (t) => {
  t.deepEqual(await firstReplyFrom(SERVER), { address: SERVER, op: 3 });
  t.deepEqual(await firstReplyFrom(SECONDARY), { address: SECONDARY, op: 3 });
});

test.serial('an address added after start is served once the listener rescans', async (t) => {
  sh(`ip -n ${lab!.server} addr add ${LATE}/24 dev ${lab!.serverIf}`);
  let reply = { address: 'none', op: 0 };
  for (let i = 0; i < 6 && reply.address !== LATE; i++) reply = await firstReplyFrom(LATE);
  t.deepEqual(reply, { address: LATE, op: 3 });
});

/**
 * Clients over the lossy link. Their own retransmission timers are shortened
 * (tftp-hpa `rexmt 1`, atftp `--tftp-timeout 1`, curl's follows
 * `--connect-timeout`) so a lost request costs one second, not five. curl
 * runs without options: it always sends a `timeout` option (its retry
 * interval, ≥ 1 s), which the server honours, and at 5 % loss that alone
 * would take minutes. Sizes stay small: lock-step over a lossy link is slow.
 */
const lossy: Array<[string, string, (out: string) => [string, string[]]]> = [
  // tftp-hpa reads commands from stdin here (to set rexmt); it then exits 0 even on errors, hence the output check below.
  ['tftp-hpa, blksize 512', 'half.bin', (out) => ['sh', ['-c', `printf 'binary\\nrexmt 1\\nget half.bin ${out}\\n' | tftp ${SERVER}`]]],
  ['curl, no options (blksize 512)', 'half.bin', (out) => ['curl', ['-sS', '--tftp-no-options', '--connect-timeout', '3', '-o', out, `tftp://${SERVER}/half.bin`]]],
  ['atftp, blksize 1468', 'one.bin', (out) => ['atftp', ['--tftp-timeout', '1', '--option', 'blksize 1468', '-g', '-r', 'one.bin', '-l', out, SERVER]]],
  ['atftp, blksize 1468 + windowsize 16', 'two.bin', (out) => ['atftp', ['--tftp-timeout', '1', '--option', 'blksize 1468', '--option', 'windowsize 16', '-g', '-r', 'two.bin', '-l', out, SERVER]]],
];

test.serial('with 5% loss, 1% duplication and 25% reordering on the link, every client gets its file byte-identical', async (t) => {
  lossyLab = await createLab('l', [SERVER], CLIENT, { lossPct: 5, duplicatePct: 1, reorderPct: 25, correlationPct: 50, delayMs: 1 });
  // A short retransmission timeout (the round trip is a few ms) keeps this
  // test fast; many retries keep a busy machine's scheduling hiccups from
  // looking like a vanished client.
  lossyServer = await startServerIn(lossyLab.server, ['0.0.0.0', '69', dir, '30', '1468', '16', '40']);
  for (const [title, name, command] of lossy) {
    const out = join(dir, `got-${name}-${title.split(',')[0]!}`);
    const before = lossyServer.events.length;
    const [cmd, args] = command(out);
    let r = await inNs(lossyLab.client, cmd, args);
    // atftp gives up when an OACK arrives twice (ours, resent after a lost
    // ACK 0, or a duplicate made by the link): a client limitation that a
    // real client answers by asking again, so do the same, a bounded number of times.
    for (let attempt = 1; attempt < 4 && /unexpected OACK/.test(r.stdout + r.stderr); attempt++) {
      t.log(`${title}: atftp saw a repeated OACK and gave up; asking again`);
      r = await inNs(lossyLab.client, cmd, args);
    }
    t.is(r.code, 0, `${title}: ${r.stdout}${r.stderr}`);
    t.notRegex(r.stdout + r.stderr, /Error code|timed out/, title);
    t.is(await sha256File(out), digests.get(name) ?? 'no digest', title);
    // The server reports the transfer when the final ACK arrives; if the link
    // ate that ACK, only when its retries run out or the closed client port
    // answers with ICMP. Either way the session must end.
    const until = Date.now() + 5000;
    while (lossyServer.events.length === before && Date.now() < until) await new Promise((res) => setTimeout(res, 50));
    const report = lossyServer.events.slice(before).at(-1);
    t.truthy(report, `${title}: the server ended the transfer`);
    t.log(`${title}: ${report?.event === 'done' ? `${String(report.retransmits)} retransmits, ${Math.round(Number(report.durationMs))} ms` : `final ACK lost (${String(report?.message)})`}`);
  }
  await lossyLab.destroy();
  t.log(`impairment: ${lossyLab.impairStats ?? '?'}`);
  t.regex(lossyLab.impairStats ?? '', /dropped=[1-9]/, 'the link really lost packets');
  t.regex(lossyLab.impairStats ?? '', /duplicated=[1-9]/, 'the link really duplicated packets');
});
