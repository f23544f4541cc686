/** Shared bits of the DHCP tests: fixtures, JSON views of packets, a test firmware map. */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from '../../../core/boot/machine.js';
import type { DhcpPacket } from '../../../core/dhcp/packet.js';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/dhcp');

/** Every captured request: name (without .hex) → bytes. */
export function loadFixtures(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const f of readdirSync(FIXTURE_DIR).filter((n) => n.endsWith('.hex')).sort()) {
    out.set(f.slice(0, -4), Buffer.from(readFileSync(join(FIXTURE_DIR, f), 'utf8').replace(/\s+/g, ''), 'hex'));
  }
  return out;
}

/** The iPXE binary names pixie's defaults use, per firmware/arch. */
export function testFirmwareFile(m: Machine): string | undefined {
  if (m.firmware === 'bios') return m.stage === 'ipxe' ? 'ipxe.pxe' : 'undionly.kpxe';
  return { x64: 'ipxe.efi', arm64: 'ipxe-arm64.efi', ia32: 'ipxe-i386.efi', arm32: undefined }[m.arch];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const printable = (b: Uint8Array) => b.length > 0 && b.every((c) => c >= 0x20 && c < 0x7f);

/** A stable, readable JSON view of a packet (for golden files and assertions). */
export function packetJson(p: DhcpPacket): Record<string, unknown> {
  return {
    op: p.op,
    htype: p.htype,
    hlen: p.hlen,
    hops: p.hops,
    xid: p.xid.toString(16).padStart(8, '0'),
    secs: p.secs,
    flags: p.flags.toString(16).padStart(4, '0'),
    ciaddr: p.ciaddr,
    yiaddr: p.yiaddr,
    siaddr: p.siaddr,
    giaddr: p.giaddr,
    chaddr: hex(p.chaddr),
    sname: p.sname,
    file: p.file,
    options: [...p.options].map(([code, v]) => (printable(v) ? { code, hex: hex(v), text: Buffer.from(v).toString('latin1') } : { code, hex: hex(v) })),
  };
}
