import test from 'ava';
import { ARCH_TYPES, archCodeFromVendorClass, archFromCode } from '../../../core/dhcp/arch.js';

// IANA "Processor Architecture Types" (RFC 4578, RFC 5970 and later registrations).
const REGISTRY: Array<[number, string, string, boolean]> = [
  [0, 'x64', 'bios', false], // x86 BIOS
  [6, 'ia32', 'efi', false], // x86 UEFI
  [7, 'x64', 'efi', false], // x64 UEFI
  [9, 'x64', 'efi', false], // EBC, sent by some x64 UEFI (RFC 4578 erratum 4624)
  [10, 'arm32', 'efi', false], // ARM 32-bit UEFI
  [11, 'arm64', 'efi', false], // ARM 64-bit UEFI
  [15, 'ia32', 'efi', true], // x86 UEFI boot from HTTP
  [16, 'x64', 'efi', true], // x64 UEFI boot from HTTP
  [18, 'arm32', 'efi', true], // ARM UEFI 32 boot from HTTP
  [19, 'arm64', 'efi', true], // ARM UEFI 64 boot from HTTP
];

test('option 93 values map to the registry', (t) => {
  for (const [code, arch, firmware, httpBoot] of REGISTRY) {
    t.like(archFromCode(code), { arch, firmware, httpBoot }, `code ${code}`);
  }
  t.is(ARCH_TYPES.size, REGISTRY.length);
});

test('values pixie cannot boot are unknown', (t) => {
  for (const code of [1, 2, 8, 12, 17, 20, 22, 25, 27, 0xffff]) t.is(archFromCode(code), undefined, `code ${code}`);
});

test('the arch in the vendor class is a fallback for option 93', (t) => {
  t.is(archCodeFromVendorClass('PXEClient:Arch:00007:UNDI:003016'), 7);
  t.is(archCodeFromVendorClass('HTTPClient:Arch:00016'), 16);
  t.is(archCodeFromVendorClass('PXEClient'), undefined);
  t.is(archCodeFromVendorClass('udhcp 1.35.0'), undefined);
});
