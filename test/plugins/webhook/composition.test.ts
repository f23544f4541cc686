/**
 * `pixie --plugin s3 --plugin webhook` as a user runs it: the real CLI in a
 * child process, options from flags (credentials from the environment, the
 * SDK's standard chain) or from pixie.config.mjs, a local S3 server, a
 * webhook receiver, and curl playing the machine (script, kernel, initrd,
 * "booting" beacon). Only 127.0.0.1 is used; DHCP and TFTP are off.
 */
import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startS3, ACCESS_KEY_ID, SECRET_ACCESS_KEY, type TestS3 } from '../s3/helpers/s3-server.js';
import { curl, freePort, scriptUrls } from '../../core/http/helpers.js';
import { startReceiver } from './helpers/receiver.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAC = '52:54:00:c0:ff:ee';
const HOOK_SECRET = 'hook-secret-from-env-1234';
const kernel = randomBytes(700_000);
const initrd = randomBytes(900_000);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

let s3: TestS3;
test.before(async () => {
  s3 = await startS3(['lab']);
  await s3.put('lab', 'k/vmlinuz', kernel);
  await s3.put('lab', 'k/initrd.img', initrd);
});
test.after.always(() => s3?.close());

/** A booter plugin file and a config file in a fresh directory. */
async function project(t: import('ava').ExecutionContext, config: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-compose-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(
    join(dir, 'booter.mjs'),
    `export default { name: 'booter', setup(ctx) {
  ctx.tap('boot:decide', async (m) => (m.mac === '${MAC}' ? { kernel: 's3://lab/k/vmlinuz', initrd: ['s3://lab/k/initrd.img'], cmdline: 'console=ttyS0' } : null));
} };\n`,
  );
  await writeFile(join(dir, 'pixie.config.mjs'), config);
  return dir;
}

interface Running {
  child: ChildProcess;
  stderr: () => string;
  stop(): Promise<number | null>;
}

/** Start the CLI (through tsx) and wait for "pixie is ready". */
async function startCli(t: import('ava').ExecutionContext, cwd: string, args: string[], env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), join(ROOT, 'cli/main.ts'), ...args], {
    cwd,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: cwd,
      // Keep the SDK's chain on this machine: no shared files, no instance metadata service.
      AWS_CONFIG_FILE: join(cwd, 'no-aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(cwd, 'no-aws-credentials'),
      AWS_EC2_METADATA_DISABLED: 'true',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout.on('data', () => undefined);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  t.teardown(stop);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pixie did not start within 30 s:\n${err}`)), 30_000);
    const check = () => {
      if (err.includes('pixie is ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stderr.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`pixie exited with ${code} before it was ready:\n${err}`));
    });
  });
  return { child, stderr: () => err, stop };
}

/** Play the machine: script, kernel, initrd, then the "booting" beacon. */
async function bootOnce(base: string) {
  const script = (await curl(`${base}/_/ipxe?mac=${MAC}&arch=x64`)).body.toString();
  const [kernelUrl = '', initrdUrl = '', beaconUrl = ''] = scriptUrls(script);
  const k = await curl(kernelUrl);
  const i = await curl(initrdUrl);
  const beacon = await curl(beaconUrl);
  return { script, k, i, beacon };
}

const eventsOf = (bodies: string[]) => bodies.map((b) => JSON.parse(b) as { event: string; machine: { mac: string } });

test.serial('flags: pixie --plugin s3 --plugin webhook --s3-… --webhook-…, credentials and secret from the environment', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const port = await freePort();
  const dir = await project(t, `export default { dhcp: { enabled: false }, tftp: { enabled: false }, plugins: ['./booter.mjs'] };\n`);
  const cli = await startCli(
    t,
    dir,
    [
      '--plugin', 's3', '--plugin', 'webhook',
      '--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style',
      '--webhook-url', rx.url, '--webhook-events', 'boot:decided,machine:booting,machine:booted', '--webhook-timeout', '2000',
      '-l', '127.0.0.1', '-p', String(port), '--log-format', 'json',
    ],
    { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY, PIXIE_WEBHOOK_SECRET: HOOK_SECRET },
  );
  t.regex(cli.stderr(), /plugins: core, ipxe-script, booter, s3, webhook/);
  const { k, i, beacon } = await bootOnce(`http://127.0.0.1:${port}`);
  t.is(k.status, 200);
  t.is(sha(k.body), sha(kernel));
  t.is(sha(i.body), sha(initrd));
  t.is(beacon.status < 300, true);
  const got = await rx.waitFor(3);
  t.deepEqual(
    eventsOf(got.map((r) => r.body)).map((e) => [e.event, e.machine.mac]),
    [
      ['boot:decided', MAC],
      ['machine:booting', MAC],
      ['machine:booted', MAC],
    ],
  );
  for (const r of got) t.is(r.headers['x-pixie-signature-256'], `sha256=${createHmac('sha256', HOOK_SECRET).update(r.body).digest('hex')}`);
  t.is(await cli.stop(), 0);
  const logs = cli.stderr();
  t.regex(logs, /webhook: 3 delivered, 0 failed, 0 dropped/);
  t.false(logs.includes(SECRET_ACCESS_KEY) || logs.includes(HOOK_SECRET), 'no secret in the logs');
});

test.serial('pixie.config.mjs: s3 and webhook options from the file, merged with --plugin and a flag that wins', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const port = await freePort();
  const dir = await project(
    t,
    `export default {
  dhcp: { enabled: false },
  tftp: { enabled: false },
  plugins: [
    './booter.mjs',
    ['s3', { endpoint: '${s3.endpoint}', region: 'us-east-1', forcePathStyle: true,
             credentials: { accessKeyId: '${ACCESS_KEY_ID}', secretAccessKey: '${SECRET_ACCESS_KEY}' } }],
    ['webhook', { urls: ['${rx.url}'], secret: 'from-the-config-file', events: ['boot:decided', 'machine:booting', 'machine:booted'] }],
  ],
};\n`,
  );
  const cli = await startCli(t, dir, ['--plugin', 's3', '--plugin', 'webhook', '--webhook-events', 'machine:booted', '-l', '127.0.0.1', '-p', String(port)], {});
  const { k } = await bootOnce(`http://127.0.0.1:${port}`);
  t.is(sha(k.body), sha(kernel));
  const [r] = await rx.waitFor(1);
  t.is(r!.headers['x-pixie-event'], 'machine:booted');
  t.is(r!.headers['x-pixie-signature-256'], `sha256=${createHmac('sha256', 'from-the-config-file').update(r!.body).digest('hex')}`);
  t.is(await cli.stop(), 0);
  t.is(rx.all.length, 1, 'the --webhook-events flag replaced the file\'s list');
});

test.serial('a wrong secret key in the environment: the kernel request gets 403, the boot is otherwise unaffected', async (t) => {
  const rx = await startReceiver();
  t.teardown(() => rx.close());
  const port = await freePort();
  const dir = await project(t, `export default { dhcp: { enabled: false }, tftp: { enabled: false }, plugins: ['./booter.mjs'] };\n`);
  const cli = await startCli(
    t,
    dir,
    ['--s3-endpoint', s3.endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', '--webhook-url', rx.url, '--webhook-events', 'boot:decided,error', '-l', '127.0.0.1', '-p', String(port), '--log-format', 'json'],
    { AWS_ACCESS_KEY_ID: ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: 'not-the-right-secret', PIXIE_WEBHOOK_SECRET: HOOK_SECRET },
  );
  const { script, k } = await bootOnce(`http://127.0.0.1:${port}`);
  t.true(script.startsWith('#!ipxe'), 'the machine still gets its script');
  t.is(k.status, 403);
  const got = await rx.waitFor(2);
  const events = eventsOf(got.map((r) => r.body));
  t.deepEqual(
    events.map((e) => e.event),
    ['boot:decided', 'error'],
  );
  t.is(await cli.stop(), 0);
  const logs = cli.stderr();
  t.regex(logs, /"bucket":"lab","key":"k\/vmlinuz"/);
  t.regex(logs, /S3 HeadObject s3:\/\/lab\/k\/vmlinuz failed: access denied/);
  t.false(logs.includes('not-the-right-secret'));
});
