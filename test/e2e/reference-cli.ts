/**
 * Boots VMs against the dnsmasq-only reference and prints one JSON timing line per
 * boot on stdout (harness log lines go to stderr). Used by `npm run bench` as the
 * VM-boot baseline:
 *
 *   node --import=tsx test/e2e/reference-cli.ts [--firmware bios-ipxe] [--runs 1] [--no-record]
 *
 * Each line: {"scenario":"reference-dnsmasq-bios-ipxe","firmware":…,"accel":…,"bootMs":…,"load1":…,"at":…}.
 * Unless --no-record, the lines are also appended to test/e2e/results/timings.jsonl.
 */
import { parseArgs } from 'node:util';
import { FIRMWARES, Lab, type Firmware } from './harness.js';
import { bootReference } from './reference.js';

const { values } = parseArgs({
  options: {
    firmware: { type: 'string', default: 'bios-ipxe' },
    runs: { type: 'string', default: '1' },
    'no-record': { type: 'boolean', default: false },
  },
});
const firmware = values.firmware as Firmware;
const runs = Number(values.runs);
if (!FIRMWARES.includes(firmware) || !Number.isInteger(runs) || runs < 1 || runs > 20) {
  process.stderr.write(`usage: reference-cli.ts [--firmware ${FIRMWARES.join('|')}] [--runs 1..20] [--no-record]\n`);
  process.exit(2);
}

const log = (line: string): void => {
  process.stderr.write(`[reference] ${line}\n`);
};
let failed = 0;
for (let i = 0; i < runs; i++) {
  const lab = await Lab.create({ label: `reference-cli-${firmware}`, log });
  try {
    const boot = await bootReference(lab, firmware, { record: !values['no-record'] });
    process.stdout.write(`${JSON.stringify(boot.timing)}\n`);
  } catch (err) {
    failed += 1;
    log(`run ${i + 1} failed: ${(err as Error).message}`);
  } finally {
    await lab.close();
  }
}
process.exitCode = failed > 0 ? 1 : 0;
