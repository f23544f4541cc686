/**
 * Golden tests over requests captured from real clients (test/fixtures/dhcp,
 * see its README): each must decode, be classified, and get the reply stored
 * in its .json. `UPDATE_FIXTURES=1` rewrites the .json files.
 */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodePacket, encodePacket } from '../../../core/dhcp/packet.js';
import { bootFileFor, buildReply, classifyRequest } from '../../../core/dhcp/pxe.js';
import { FIXTURE_DIR, loadFixtures, packetJson, testFirmwareFile } from './helpers.js';

const SERVER = '10.250.0.1';
const fixtures = loadFixtures();

/** What each capture is, independently of the golden files: guards against a wrong golden. */
const EXPECTED: Record<string, { kind: string; arch?: string; firmware?: string; stage?: string; archCode?: number }> = {
  'qemu-bios-ipxe-discover': { kind: 'boot', arch: 'x64', firmware: 'bios', stage: 'ipxe', archCode: 0 },
  'qemu-bios-ipxe-request': { kind: 'boot', arch: 'x64', firmware: 'bios', stage: 'ipxe', archCode: 0 },
  'ovmf-pxe-discover': { kind: 'boot', arch: 'x64', firmware: 'efi', stage: 'pxe', archCode: 7 },
  'ovmf-pxe-request': { kind: 'boot', arch: 'x64', firmware: 'efi', stage: 'pxe', archCode: 7 },
  'ovmf-pxe-request-4011': { kind: 'boot', arch: 'x64', firmware: 'efi', stage: 'pxe', archCode: 7 },
  'ovmf-http-discover': { kind: 'boot', arch: 'x64', firmware: 'efi', stage: 'http', archCode: 16 },
  'ovmf-http-request': { kind: 'boot', arch: 'x64', firmware: 'efi', stage: 'http', archCode: 16 },
  'udhcpc-discover': { kind: 'not-boot-client' },
  'udhcpc-request': { kind: 'not-boot-client' },
  'dhclient-discover': { kind: 'not-boot-client' },
  'dhclient-request': { kind: 'not-boot-client' },
};

test('every expected capture is present', (t) => {
  for (const name of Object.keys(EXPECTED)) t.true(fixtures.has(name), `missing fixture ${name}.hex`);
});

for (const [name, bytes] of fixtures) {
  test(`fixture ${name}: decode, classify and reply match the golden file`, (t) => {
    const r = decodePacket(bytes);
    if (!r.ok) return t.fail(`${name} did not decode: ${r.error.message}`);
    const port = name.endsWith('-4011') ? 4011 : 67;
    const c = classifyRequest(r.packet, { port, interface: 'br0', serverAddress: SERVER });
    let reply: Record<string, unknown> | null = null;
    if (c.kind === 'boot') {
      const file = bootFileFor(c.machine, SERVER, 8080, testFirmwareFile);
      if (!file.ok) return t.fail(file.reason);
      const type = c.request.messageType === 'discover' ? 'offer' : 'ack';
      const built = buildReply(r.packet, c.machine, { serverAddress: SERVER, bootFile: file.bootFile, type });
      const again = decodePacket(encodePacket(built));
      if (!again.ok) return t.fail('reply does not decode');
      reply = packetJson(again.packet);
    }
    const actual = {
      source: `${name}.hex`,
      length: bytes.length,
      packet: packetJson(r.packet),
      classification: c.kind === 'boot' ? { kind: c.kind, machine: c.machine, request: { ...c.request, options: undefined } } : c,
      reply,
    };
    const json = JSON.parse(JSON.stringify(actual)) as typeof actual;
    const golden = join(FIXTURE_DIR, `${name}.json`);
    if (process.env.UPDATE_FIXTURES === '1' || !existsSync(golden)) {
      if (process.env.UPDATE_FIXTURES !== '1') return t.fail(`${golden} is missing: run with UPDATE_FIXTURES=1`);
      writeFileSync(golden, JSON.stringify(json, null, 2) + '\n');
    }
    t.deepEqual(json, JSON.parse(readFileSync(golden, 'utf8')));

    const want = EXPECTED[name];
    if (want) {
      t.true(want.kind === c.kind, `expected ${want.kind}, got ${c.kind}`);
      if (c.kind === 'boot') {
        t.like(c.machine, { arch: want.arch, firmware: want.firmware, stage: want.stage, archCode: want.archCode });
      }
    }
    // Encoding the decoded request gives back the same packet.
    const round = decodePacket(encodePacket(r.packet));
    t.true(round.ok);
    if (round.ok) t.deepEqual(packetJson(round.packet), packetJson(r.packet));
  });
}
