/**
 * The e2e payload (kernel + busybox initramfs) built by scripts/build-payload.sh,
 * and the timing record the suite and `npm run bench` share.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, run } from './exec.js';

export type PayloadArch = 'amd64' | 'arm64';

/** What build-payload.sh writes to payload.json. */
export interface Payload {
  arch: PayloadArch;
  suite: string;
  kernel: string;
  initrd: string;
  kernelPackage: string;
  kernelVersion: string;
  kernelRelease: string;
  busyboxVersion: string;
  modules: string;
  /** Serial console device name for the kernel cmdline (ttyS0 / ttyAMA0). */
  console: string;
  buildSeconds: number;
}

const payloads = new Map<PayloadArch, Promise<Payload>>();

/**
 * Builds (or reuses) the payload for `arch` and returns its description. The
 * script skips work when the package versions are unchanged, so calling this in
 * every test file costs a few apt-cache lookups at most.
 */
export function ensurePayload(arch: PayloadArch = 'amd64'): Promise<Payload> {
  let p = payloads.get(arch);
  if (!p) {
    p = (async () => {
      const script = path.join(REPO_ROOT, 'scripts', 'build-payload.sh');
      const { stdout } = await run('bash', [script, '--arch', arch], { timeoutMs: 600_000 });
      const jsonPath = stdout.trim().split('\n').pop() ?? '';
      return JSON.parse(readFileSync(jsonPath, 'utf8')) as Payload;
    })();
    payloads.set(arch, p);
  }
  return p;
}

/** Where e2e logs and timing records go (`PIXIE_E2E_RESULTS`, default test/e2e/results). */
export function resultsDir(): string {
  return process.env.PIXIE_E2E_RESULTS ?? path.join(REPO_ROOT, 'test', 'e2e', 'results');
}

/** One VM boot measurement, power-on (QEMU start) → marker line. */
export interface BootTiming {
  scenario: string;
  firmware: string;
  accel: string;
  bootMs: number;
  [extra: string]: unknown;
}

/** Appends a JSON line to `<results>/timings.jsonl` and returns the record written. */
export function recordTiming(t: BootTiming): BootTiming & { at: string } {
  const rec = { ...t, at: new Date().toISOString() };
  mkdirSync(resultsDir(), { recursive: true });
  appendFileSync(path.join(resultsDir(), 'timings.jsonl'), JSON.stringify(rec) + '\n');
  return rec;
}
