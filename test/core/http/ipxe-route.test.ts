import test from 'ava';
import { causeCode, machineFromQuery } from '../../../core/http/ipxe-route.js';
import { PixieError } from '../../../core/errors.js';

const q = (s: string) => new URLSearchParams(s);

test('machineFromQuery accepts pixie, Pixiecore and iPXE arch names', (t) => {
  const cases: Array<[string, string, string]> = [
    ['x64', 'x64', 'efi'],
    ['ia32', 'ia32', 'bios'],
    ['arm64', 'arm64', 'efi'],
    ['arm32', 'arm32', 'efi'],
    ['0', 'ia32', 'bios'],
    ['1', 'x64', 'efi'],
    ['i386', 'ia32', 'bios'],
    ['x86_64', 'x64', 'efi'],
    ['X64', 'x64', 'efi'],
  ];
  for (const [arch, want, firmware] of cases) {
    const m = machineFromQuery(q(`mac=52-54-00-12-34-56&arch=${arch}`), '10.0.0.1');
    t.deepEqual(m, { mac: '52:54:00:12:34:56', arch: want, firmware, stage: 'ipxe', serverAddress: '10.0.0.1' }, arch);
  }
});

test('platform= or firmware= sets the firmware', (t) => {
  t.like(machineFromQuery(q('mac=525400123456&arch=x86_64&platform=pcbios'), 'a'), { firmware: 'bios' });
  t.like(machineFromQuery(q('mac=525400123456&arch=i386&platform=efi'), 'a'), { firmware: 'efi' });
  t.like(machineFromQuery(q('mac=525400123456&arch=x64&firmware=bios'), 'a'), { firmware: 'bios' });
});

test('bad queries explain themselves', (t) => {
  t.regex(machineFromQuery(q('arch=x64'), 'a') as string, /mac=/);
  t.regex(machineFromQuery(q('mac=zz&arch=x64'), 'a') as string, /mac=/);
  t.regex(machineFromQuery(q('mac=525400123456'), 'a') as string, /arch=/);
  t.regex(machineFromQuery(q('mac=525400123456&arch=mips'), 'a') as string, /arch=/);
});

test('causeCode finds the first specific PixieError code in a cause chain', (t) => {
  const inner = new PixieError('PIXIE_ERR_UPSTREAM', 'down');
  const hook = new PixieError('PIXIE_ERR_HOOK', 'plugin x failed', { cause: inner });
  t.is(causeCode(hook), 'PIXIE_ERR_UPSTREAM');
  t.is(causeCode(new PixieError('PIXIE_ERR_HOOK', 'no cause')), 'PIXIE_ERR_HOOK');
  t.is(causeCode(new Error('plain')), undefined);
});
