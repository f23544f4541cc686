/**
 * End to end: a BIOS VM in a private network namespace boots a kernel and
 * initrd that live in S3 (s3rver with SigV4 enforced, inside the namespace),
 * its initramfs fetches a cmdline file that lives in S3 too, and the webhook
 * receiver records boot:decided → machine:booting → machine:booted for the
 * VM's MAC, each correctly signed. pixie runs as `pixie --s3-… --webhook-url …`
 * with the static plugin's S3 references in pixie.config.mjs; dnsmasq on another
 * host in the lab hands out addresses.
 */
import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { Lab, REPO_ROOT, bootTimeoutMs, consoleArg, ensurePayload, recordTiming } from '../../e2e/harness.js';
import { DNSMASQ_READY, dnsmasqArgs } from '../../e2e/lab/dnsmasq.js';
import { ACCESS_KEY_ID, SECRET_ACCESS_KEY } from './helpers/s3-server.js';

const HOOK_SECRET = 'vm-boot-webhook-secret';

test('a VM boots a kernel and initrd from S3 and the webhook records its boot in order', async (t) => {
  t.timeout(420_000);
  const payload = await ensurePayload('amd64');
  const lab = await Lab.create({ label: 's3-webhook' });
  try {
    const host = await lab.addHost();
    const dhcp = lab.spawn('dnsmasq', dnsmasqArgs({ bridge: host.iface, stateDir: lab.tmp, routerAdvertisements: true }), { ns: host.ns });
    await dhcp.waitForOutput(DNSMASQ_READY, 10_000);

    const services = lab.spawn(process.execPath, ['--import=tsx', path.join(REPO_ROOT, 'test/plugins/s3/fixtures/lab-services.ts'), payload.kernel, payload.initrd, HOOK_SECRET], {
      name: 'lab-services',
      cwd: REPO_ROOT,
    });
    await services.waitForOutput(/HOOK http:\S+/, 30_000);
    const endpoint = /S3 (http:\S+)/.exec(services.output())?.[1] ?? '';
    const hookUrl = /HOOK (http:\S+)/.exec(services.output())?.[1] ?? '';

    // The static plugin (what `pixie boot` loads) gets its S3 references from the config file;
    // the s3 and webhook plugins get theirs from flags, as `pixie --s3-… --webhook-…`.
    const cmdline = `${consoleArg('bios-ipxe')} quiet pixie.fetch={{ ID "s3://lab/payload/hello.txt" }}`;
    const spec = { kernel: 's3://lab/payload/vmlinuz', initrd: ['s3://lab/payload/initrd.img'], cmdline };
    writeFileSync(path.join(lab.tmp, 'pixie.config.mjs'), `export default { plugins: [['static', ${JSON.stringify(spec)}]] };\n`);
    const pixie = lab.spawn(
      process.execPath,
      [
        `--import=${import.meta.resolve('tsx')}`, path.join(REPO_ROOT, 'cli', 'main.ts'),
        '--s3-endpoint', endpoint, '--s3-region', 'us-east-1', '--s3-force-path-style',
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
    t.log(`bios-ipxe from S3: power-on → marker ${marker.elapsedMs} ms (${vm.accel})`);
    recordTiming({ scenario: 's3-webhook', firmware: 'bios-ipxe', accel: vm.accel, bootMs: marker.elapsedMs });

    await services.waitForOutput(new RegExp(`WEBHOOK machine:booted ${vm.mac}`), 30_000);
    const hooks = [...services.output().matchAll(/^WEBHOOK (\S+) (\S+) sig=(\w+)$/gm)].filter((m) => m[2] === vm.mac);
    t.true(hooks.every((m) => m[3] === 'ok'), 'every request is signed with the shared secret');
    const firsts = ['boot:decided', 'machine:booting', 'machine:booted'].map((e) => hooks.findIndex((m) => m[1] === e));
    t.true(firsts.every((i) => i >= 0), `all three events arrived: ${hooks.map((m) => m[1]).join(', ')}`);
    t.deepEqual([...firsts].sort((a, b) => a - b), firsts, 'in boot order');
    t.false(pixie.output().includes(SECRET_ACCESS_KEY) || pixie.output().includes(HOOK_SECRET), 'no secret in pixie\'s log');
  } finally {
    await lab.close();
  }
});
