/**
 * Streaming a 1 GiB file keeps memory flat. The file is sparse (no disk
 * space used); curl downloads it to /dev/null while the test samples this
 * process's RSS. The numbers are logged; only a generous bound is asserted,
 * and nothing about time.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { open, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startHttpPixie } from './helpers.js';

const run = promisify(execFile);
const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

test('a 1 GiB download does not grow RSS noticeably', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'pixie-rss-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const fh = await open(join(dir, 'big.img'), 'w');
  await fh.truncate(GiB);
  await fh.close();
  const h = await startHttpPixie(t, {}, dir);
  const url = `${h.base}/_/file?name=${h.pixie.fileId('./big.img')}`;

  global.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const { stdout } = await run('curl', ['-sS', '-o', '/dev/null', '--max-time', '120', '-w', '%{http_code} %{size_download} %{speed_download}', url]);
    const [status, size, speed] = stdout.split(' ').map(Number) as [number, number, number];
    t.is(status, 200);
    t.is(size, GiB);
    const after = process.memoryUsage().rss;
    t.log(`RSS before ${(before / MiB).toFixed(1)} MiB, peak ${(peak / MiB).toFixed(1)} MiB, after ${(after / MiB).toFixed(1)} MiB; growth ${((peak - before) / MiB).toFixed(1)} MiB; curl ${(speed / MiB).toFixed(0)} MiB/s`);
    t.true(peak - before < 200 * MiB, `RSS grew by ${((peak - before) / MiB).toFixed(1)} MiB`);
  } finally {
    clearInterval(sampler);
  }
});
