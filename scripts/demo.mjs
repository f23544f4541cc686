#!/usr/bin/env node
// `npm run demo [-- --firmware bios-ipxe|bios-pxe|uefi-pxe|uefi-http|arm64-pxe]`
//
// Checks the Debian packages the demo needs (installing missing ones when run as
// root, with a message saying so), then hands over to test/e2e/demo.ts, which
// builds the payload, starts dnsmasq + pixie + a VM in a private network
// namespace, streams their output and cleans up.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDeps } from './ensure-deps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const fwIndex = args.indexOf('--firmware');
const firmware = fwIndex >= 0 ? args[fwIndex + 1] : (args.find((a) => a.startsWith('--firmware='))?.slice(11) ?? 'bios-ipxe');
const firmwares = ['bios-ipxe', 'bios-pxe', 'uefi-pxe', 'uefi-http', 'arm64-pxe', 'arm64-http'];
if (!firmwares.includes(firmware) || args.includes('--help')) {
  console.error(`usage: npm run demo [-- --firmware ${firmwares.join('|')}]`);
  process.exit(args.includes('--help') ? 0 : 2);
}

if (process.platform !== 'linux' || !existsSync('/usr/bin/dpkg-query')) {
  console.error('The demo needs a Debian (or Debian-based) Linux machine: it uses network namespaces, QEMU and Debian packages.');
  process.exit(1);
}
if (process.getuid?.() !== 0) {
  console.error('The demo creates network namespaces and tap devices: run it as root (sudo npm run demo).');
  process.exit(1);
}

const packages = ['iproute2', 'qemu-system-x86', 'ipxe-qemu', 'dnsmasq-base', 'busybox-static', 'cpio', 'python3'];
if (firmware.startsWith('uefi')) packages.push('ovmf');
if (firmware.startsWith('arm64')) packages.push('qemu-system-arm', 'qemu-efi-aarch64');

if (!ensureDeps(packages)) process.exit(1);
if (!existsSync(path.join(root, 'node_modules', 'tsx'))) {
  console.error('Run `npm install` (or `npm ci`) in the repository first.');
  process.exit(1);
}

// The demo itself is TypeScript next to the e2e harness; load it through tsx.
const { register } = await import('tsx/esm/api');
register();
const { runDemo } = await import('../test/e2e/demo.ts');
process.exitCode = await runDemo({ firmware });
