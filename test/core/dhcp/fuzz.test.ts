/**
 * Fuzzing (fast-check): random bytes and mutated real captures must never
 * make the codec or the server throw, decoded packets must re-encode stably,
 * and the server must keep answering afterwards. 100k+ cases in total.
 */
import test from 'ava';
import fc from 'fast-check';
import { pino } from 'pino';
import { createEvents } from '../../../core/events.js';
import { decodeOptions } from '../../../core/dhcp/options.js';
import { decodePacket, encodePacket } from '../../../core/dhcp/packet.js';
import { classifyRequest } from '../../../core/dhcp/pxe.js';
import { createDhcpServer } from '../../../core/dhcp/server.js';
import { loadFixtures, packetJson, testFirmwareFile } from './helpers.js';

const seeds = [...loadFixtures().values()];
const SEED = 0x5eed;

/** A real capture with a few bytes changed (mostly in the options), maybe cut or extended. */
const mutated = fc
  .record({
    base: fc.constantFrom(...seeds),
    edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean()), { minLength: 1, maxLength: 8 }),
    cut: fc.option(fc.nat({ max: 600 }), { nil: undefined }),
    tail: fc.uint8Array({ maxLength: 40 }),
  })
  .map(({ base, edits, cut, tail }) => {
    const b = Buffer.concat([base, Buffer.from(tail)]);
    for (const [pos, value, inOptions] of edits) {
      const at = inOptions && b.length > 240 ? 240 + (pos % (b.length - 240)) : pos % b.length;
      b[at] = value;
    }
    return cut === undefined ? b : b.subarray(0, cut);
  });

function stableRoundTrip(bytes: Uint8Array): void {
  const r = decodePacket(bytes);
  if (!r.ok) {
    if (typeof r.error.message !== 'string') throw new Error('error without message');
    return;
  }
  classifyRequest(r.packet, { port: 67, serverAddress: '10.0.0.1' });
  const again = decodePacket(encodePacket(r.packet));
  if (!again.ok) throw new Error(`re-encoded packet does not decode: ${again.error.message}`);
  if (JSON.stringify(packetJson(again.packet)) !== JSON.stringify(packetJson(r.packet))) throw new Error('round trip changed the packet');
}

test('random bytes: decode never throws; what decodes re-encodes stably (40k)', (t) => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 700 }), (b) => stableRoundTrip(b)), { numRuns: 20_000, seed: SEED });
  // Random bytes rarely pass the magic cookie: also fuzz with a valid header and random options.
  const header = seeds[0]!.subarray(0, 240);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 400 }), (opts) => stableRoundTrip(Buffer.concat([header, opts]))),
    { numRuns: 20_000, seed: SEED },
  );
  t.pass();
});

test('option areas: decodeOptions never throws (20k)', (t) => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const r = decodeOptions(b);
      if (!r.ok && !r.error) throw new Error('error result without text');
    }),
    { numRuns: 20_000, seed: SEED },
  );
  t.pass();
});

test('mutated real captures: decode never throws, round trip is stable (30k)', (t) => {
  fc.assert(fc.property(mutated, (b) => stableRoundTrip(b)), { numRuns: 30_000, seed: SEED });
  t.pass();
});

test('server.handle survives mutated captures and keeps answering (15k)', async (t) => {
  const log = pino({ level: 'silent' });
  const server = createDhcpServer({
    listenAddr: '0.0.0.0', dhcpPort: 67, pxePort: 4011, noBind: false, httpPort: 80, log, events: createEvents(log),
    shouldBoot: (m) => Promise.resolve(m.mac.endsWith('1') || m.mac.endsWith('2')),
    firmwareFile: testFirmwareFile,
  });
  const meta = { port: 67, serverAddress: '10.0.0.1', remote: { address: '0.0.0.0', port: 68 } };
  await fc.assert(
    fc.asyncProperty(mutated, fc.constantFrom(67, 4011), async (b, port) => {
      const reply = await server.handle(b, { ...meta, port });
      if (reply !== null && !decodePacket(reply).ok) throw new Error('server sent an undecodable reply');
    }),
    { numRuns: 15_000, seed: SEED },
  );
  const ovmf = loadFixtures().get('ovmf-pxe-discover')!;
  t.truthy(await server.handle(ovmf, meta), 'the server stopped answering after the fuzz run');
  t.true(server.stats.received >= 15_000);
});
