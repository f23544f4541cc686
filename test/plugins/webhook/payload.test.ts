import test from 'ava';
import { webhookBody, signBody } from '../../../plugins/webhook/payload.js';
import { backoffMs } from '../../../plugins/webhook/target.js';
import { PixieError } from '../../../core/errors.js';

const T = new Date('2026-11-26T01:02:03.456Z');

test('the signature is GitHub\'s X-Hub-Signature-256 scheme (their published example)', (t) => {
  // GitHub's webhook docs: secret "It's a Secret to Everybody", payload "Hello, World!".
  t.is(signBody('Hello, World!', "It's a Secret to Everybody"), 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
});

test('machine events carry machine {mac, arch, firmware}, null when unknown', (t) => {
  const full = JSON.parse(
    webhookBody('boot:decided', { machine: { mac: '52:54:00:00:00:01', arch: 'x64', firmware: 'efi', stage: 'ipxe' }, cached: false }, 'id-1', T),
  ) as unknown;
  t.deepEqual(full, {
    event: 'boot:decided',
    time: '2026-11-26T01:02:03.456Z',
    id: 'id-1',
    machine: { mac: '52:54:00:00:00:01', arch: 'x64', firmware: 'efi' },
    cached: false,
  });
  const bare = JSON.parse(webhookBody('machine:booted', { machine: { mac: '52:54:00:00:00:02' } }, 'id-2', T)) as Record<string, unknown>;
  t.deepEqual(bare.machine, { mac: '52:54:00:00:00:02', arch: null, firmware: null });
});

test('file:served names its machine; errors keep name, message and code', (t) => {
  const served = JSON.parse(webhookBody('file:served', { kind: 'kernel', mac: '52:54:00:00:00:03', bytes: 10, durationMs: 2, status: 200 }, 'i', T)) as Record<string, unknown>;
  t.deepEqual(served.machine, { mac: '52:54:00:00:00:03', arch: null, firmware: null });
  t.false('mac' in served);
  t.is(served.bytes, 10);
  const noMac = JSON.parse(webhookBody('file:served', { kind: 'ipxe', bytes: 1, durationMs: 1, status: 200 }, 'i', T)) as Record<string, unknown>;
  t.false('machine' in noMac);
  const err = JSON.parse(webhookBody('error', { where: 'file:resolve', error: new PixieError('PIXIE_ERR_NOT_FOUND', 'gone') }, 'i', T)) as Record<string, unknown>;
  t.deepEqual(err.error, { name: 'PixieError', message: 'gone', code: 'PIXIE_ERR_NOT_FOUND' });
  t.is(err.where, 'file:resolve');
});

test('backoff doubles per attempt, capped, with half of it random', (t) => {
  t.is(backoffMs(1, 1000, 60_000, () => 0), 500);
  t.is(backoffMs(1, 1000, 60_000, () => 1), 1000);
  t.is(backoffMs(4, 1000, 60_000, () => 1), 8000);
  t.is(backoffMs(30, 1000, 60_000, () => 1), 60_000);
  t.is(backoffMs(200, 1000, 60_000, () => 0), 30_000);
});
