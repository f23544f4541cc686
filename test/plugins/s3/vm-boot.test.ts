/**
 * End to end: a BIOS VM in a private network namespace boots a kernel and
 * initrd that live in S3 (s3rver with SigV4 enforced, inside the namespace),
 * its initramfs fetches a cmdline file that lives in S3 too, and the webhook
 * receiver records the boot for the VM's MAC, each event correctly signed.
 * pixie runs as `pixie --s3-… --webhook-url …` with the static plugin's S3
 * references in pixie.config.mjs; dnsmasq on another host in the lab hands
 * out addresses. Two ways: bytes streamed through pixie, and `--s3-redirect`
 * (iPXE fetches presigned URLs from the S3 server itself).
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, REPO_ROOT, bootTimeoutMs, consoleArg, ensurePayload, recordTiming } from '../../e2e/harness.js';
import { DNSMASQ_READY, dnsmasqArgs } from '../../e2e/lab/dnsmasq.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY } from './helpers/s3-server.js';

const HOOK_SECRET = 'vm-boot-webhook-secret';

async function bootFromS3(t: import('ava').ExecutionContext, redirect: boolean) {
  t.timeout(420_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: redirect ? 's3-redirect' : 's3-webhook' });
  try {
    const host = await lab.addHost();
    const dhcp = lab.spawn('dnsmasq', dnsmasqArgs({ bridge: host.iface, stateDir: lab.tmp, routerAdvertisements: true }), { ns: host.ns });
    await dhcp.waitForOutput(DNSMASQ_READY, 10_000);

    // With redirect the VM fetches from S3 itself, so S3 listens on the lab bridge; otherwise on loopback.
    const s3Address = redirect ? lab.bridge().serverIp : '127.0.0.1';
    const fixture = path.join(REPO_ROOT, 'test/plugins/s3/fixtures/lab-services.ts');
    const services = lab.spawn(process.execPath, ['--import=tsx', fixture, payload.kernel, payload.initrd, HOOK_SECRET, s3Address], { name: 'lab-services', cwd: REPO_ROOT });
    await services.waitForOutput(/HOOK http:\S+/, 30_000);
    const endpoint = /S3 (http:\S+)/.exec(services.output())?.[1] ?? '';
    const hookUrl = /HOOK (http:\S+)/.exec(services.output())?.[1] ?? '';

    const cmdline = `${consoleArg('bios-ipxe')} quiet pixie.fetch={{ ID "s3://lab/payload/hello.txt" }}`;
    const spec = { kernel: 's3://lab/payload/vmlinuz', initrd: ['s3://lab/payload/initrd.img'], cmdline };
    writeFileSync(path.join(lab.tmp, 'pixie.config.mjs'), `export default { plugins: [['static', ${JSON.stringify(spec)}]] };\n`);
    const pixie = lab.spawn(
      process.execPath,
      [
        `--import=${import.meta.resolve('tsx')}`, path.join(REPO_ROOT, 'cli', 'main.ts'),
        '--s3-endpoint', endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style', ...(redirect ? ['--s3-redirect'] : []),
        '--webhook-url', hookUrl, '--log-format', 'json',
      ],
      {
        name: 'pixie',
        cwd: lab.tmp,
        env: {
          PATH: process.env.PATH,
          HOME: lab.tmp,
          AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
          AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          PIXIE_WEBHOOK_SECRET: HOOK_SECRET,
        },
      },
    );
    await pixie.waitForOutput(/pixie is ready/, 30_000);

    const vm = await lab.startVm({ firmware: 'bios-ipxe' });
    const marker = await vm.waitFor(/PIXIE-E2E-MARKER cmdline=.*/, bootTimeoutMs(vm));
    const fetched = await vm.waitFor(/PIXIE-E2E-FETCH(-FAILED)? .*/, 60_000);
    t.regex(fetched.match[0], /^PIXIE-E2E-FETCH hello-from-s3\s*$/, 'the initramfs fetched its cmdline file from S3 through pixie');
    const scenario = redirect ? 's3-redirect' : 's3-webhook';
    t.log(`bios-ipxe, ${scenario}: power-on → marker ${marker.elapsedMs} ms (${vm.accel})`);
    recordTiming({ scenario, firmware: 'bios-ipxe', accel: vm.accel, bootMs: marker.elapsedMs });

    await services.waitForOutput(new RegExp(`WEBHOOK machine:booted ${vm.mac}`), 30_000);
    const out = services.output();
    const hooks = [...out.matchAll(/^WEBHOOK (\S+) (\S+) sig=(\w+)$/gm)].filter((m) => m[2] === vm.mac);
    t.true(hooks.every((m) => m[3] === 'ok'), 'every request is signed with the shared secret');
    // With redirect the kernel never passes through pixie, so there is no machine:booting.
    const story = redirect ? ['boot:decided', 'machine:booted'] : ['boot:decided', 'machine:booting', 'machine:booted'];
    const firsts = story.map((e) => hooks.findIndex((m) => m[1] === e));
    t.true(firsts.every((i) => i >= 0), `the events arrived: ${hooks.map((m) => m[1]).join(', ')}`);
    t.deepEqual([...firsts].sort((a, b) => a - b), firsts, 'in boot order');
    const kernelGets = [...out.matchAll(/^S3GET \/lab\/payload\/vmlinuz presigned=(\w+)$/gm)].map((m) => m[1]);
    t.true(kernelGets.length > 0 && kernelGets.every((p) => p === String(redirect)), `kernel GETs: ${kernelGets.join(', ')}`);
    t.false(pixie.output().includes(SECRET_ACCESS_KEY) || pixie.output().includes(HOOK_SECRET), "no secret in pixie's log");
  } finally {
    await lab.close();
  }
}

test.serial('a VM boots a kernel and initrd streamed from S3 and the webhook records its boot in order', async (t) => {
  await bootFromS3(t, false);
});

test.serial('with --s3-redirect iPXE fetches the kernel and initrd from presigned S3 URLs', async (t) => {
  await bootFromS3(t, true);
});
