/**
 * `/_/ipxe?mac=&arch=`: the iPXE script of a machine, and `/_/booting?mac=`:
 * the beacon iPXE fetches right before it starts the kernel.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pixie } from '../pixie.js';
import { normalizeMac, type Arch, type Firmware, type Machine } from '../boot/machine.js';
import { isPixieError } from '../errors.js';
import { replyText, clientAddress, stripMapped } from './reply.js';

/** Arch names accepted in `arch=`: pixie's, Pixiecore's 0/1, and iPXE's `${buildarch}`. */
const ARCH_PARAM: Readonly<Record<string, Arch>> = {
  ia32: 'ia32',
  x64: 'x64',
  arm64: 'arm64',
  arm32: 'arm32',
  '0': 'ia32',
  '1': 'x64',
  i386: 'ia32',
  x86_64: 'x64',
  amd64: 'x64',
  aarch64: 'arm64',
};

const FIRMWARE_PARAM: Readonly<Record<string, Firmware>> = { bios: 'bios', pcbios: 'bios', efi: 'efi' };

/** Build the Machine an `/_/ipxe` request describes, or an error text for a 400. */
export function machineFromQuery(query: URLSearchParams, serverAddress: string): Machine | string {
  const mac = normalizeMac(query.get('mac') ?? '');
  if (!mac) return 'missing or invalid mac= (expected e.g. aa:bb:cc:dd:ee:ff)';
  const arch = ARCH_PARAM[(query.get('arch') ?? '').toLowerCase()];
  if (!arch) return 'missing or invalid arch= (ia32, x64, arm64, arm32, or Pixiecore\'s 0/1)';
  const fwParam = query.get('platform') ?? query.get('firmware');
  const firmware = (fwParam ? FIRMWARE_PARAM[fwParam.toLowerCase()] : undefined) ?? (arch === 'ia32' ? 'bios' : 'efi');
  return { mac, arch, firmware, stage: 'ipxe', serverAddress };
}

export async function handleIpxe(pixie: Pixie, req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
  const machine = machineFromQuery(query, stripMapped(req.socket.localAddress ?? ''));
  if (typeof machine === 'string') {
    pixie.log.debug({ client: clientAddress(res) }, `bad /_/ipxe request: ${machine}`);
    replyText(res, 400, machine);
    return;
  }
  let spec;
  try {
    spec = await pixie.decide(machine);
  } catch {
    // decide() already logged the failure.
    replyText(res, 500, 'boot decision failed');
    return;
  }
  if (!spec) {
    replyText(res, 404, 'not booted by pixie');
    return;
  }
  let script: string;
  try {
    script = await pixie.hooks['ipxe:script'].promise('', machine, spec);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    const template = causeCode(error) === 'PIXIE_ERR_TEMPLATE';
    pixie.log.error({ mac: machine.mac, err: error }, `${template ? 'machine ignored: ' : ''}cannot render the iPXE script: ${error.message}`);
    pixie.events.emit('error', { where: 'ipxe:script', error });
    if (template) {
      // A bad template from a booter (API mode) means "ignore this machine", as Pixiecore does.
      pixie.events.emit('boot:ignored', { machine, reason: `invalid template: ${error.message}` });
      replyText(res, 404, 'not booted by pixie');
    } else replyText(res, 500, 'cannot render the iPXE script');
    return;
  }
  if (!script) {
    pixie.log.error({ mac: machine.mac }, 'the iPXE script for this machine is empty (no ipxe:script tap rendered one)');
    replyText(res, 500, 'no iPXE script');
    return;
  }
  const body = Buffer.from(script, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : body);
  pixie.log.debug({ mac: machine.mac, arch: machine.arch }, 'served iPXE script');
}

/** The first PixieError code in an error's cause chain. */
export function causeCode(err: unknown): string | undefined {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth++) {
    if (isPixieError(e) && e.code !== 'PIXIE_ERR_HOOK') return e.code;
  }
  return isPixieError(err) ? err.code : undefined;
}

export function handleBooting(pixie: Pixie, res: ServerResponse, query: URLSearchParams): void {
  const mac = normalizeMac(query.get('mac') ?? '');
  if (!mac) {
    replyText(res, 400, 'missing or invalid mac=');
    return;
  }
  pixie.log.info({ mac }, 'machine booted: iPXE is starting the kernel');
  pixie.events.emit('machine:booted', { machine: { mac } });
  replyText(res, 200, 'ok');
}
