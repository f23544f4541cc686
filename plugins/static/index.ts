/**
 * `static` — `pixie boot <kernel> [initrd...] --cmdline … --bootmsg …`: one
 * BootSpec for every machine. Local files (kernel, initrds, files named in
 * the cmdline template) are checked when pixie starts, and so is the cmdline
 * template itself, so mistakes show up before the first machine asks.
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { definePlugin } from '../../core/plugin.js';
import { PixieError } from '../../core/errors.js';
import type { BootSpec } from '../../core/boot/spec.js';
import type { Arch } from '../../core/boot/machine.js';
import { parseCmdline, renderCmdline } from '../../core/boot/template.js';
import { ipxeArgs } from '../../core/boot/ipxe-text.js';

const ref = z.string().min(1, 'a file reference (path or URL)');
const refs = z.union([ref.transform((r) => [r]), z.array(ref)]);

const archOverride = z
  .object({ kernel: ref.optional(), initrd: refs.optional(), cmdline: z.string().optional() })
  .strict();

export const staticOptions = z
  .object({
    /** Kernel: local path (relative to the config dir / cwd), file://, http(s):// or any scheme a plugin resolves. */
    kernel: ref,
    /** Initrds, in order. */
    initrd: refs.default([]),
    /** Kernel command line; may use {{ ID "ref" }} / {{ URL "ref" }}. */
    cmdline: z.string().default(''),
    /** Message iPXE prints before booting. */
    message: z.string().optional(),
    /** Per-architecture kernel/initrd/cmdline (mixed racks). */
    perArch: z.partialRecord(z.enum(['ia32', 'x64', 'arm32', 'arm64']), archOverride).optional(),
  })
  .strict();

export type StaticOptions = z.output<typeof staticOptions>;

/** True for references resolved from local disk: plain paths and file:// URLs. */
const isLocal = (r: string) => r.startsWith('file:') || !/^[a-z][a-z0-9+.-]*:/i.test(r);

async function checkLocal(r: string, what: string, baseDir: string): Promise<void> {
  if (!isLocal(r)) return;
  const path = r.startsWith('file:') ? fileURLToPath(r) : isAbsolute(r) ? r : resolve(baseDir, r);
  const st = await stat(path).catch(() => undefined);
  if (!st) throw new PixieError('PIXIE_ERR_FILE_NOT_FOUND', `The ${what} "${r}" does not exist (looked at ${path}).`);
  if (!st.isFile()) throw new PixieError('PIXIE_ERR_FILE_NOT_FOUND', `The ${what} "${r}" is not a regular file (${path}).`);
}

/** Check one kernel/initrd/cmdline set: files exist, the cmdline template is valid. */
async function checkSet(set: { kernel?: string | undefined; initrd?: readonly string[] | undefined; cmdline?: string | undefined }, where: string, baseDir: string) {
  if (set.kernel) await checkLocal(set.kernel, `kernel${where}`, baseDir);
  for (const [i, r] of (set.initrd ?? []).entries()) await checkLocal(r, `initrd #${i + 1}${where}`, baseDir);
  if (set.cmdline) {
    const t = parseCmdline(set.cmdline);
    // A dry run catches what only shows after expansion (newlines, control characters).
    ipxeArgs(renderCmdline(set.cmdline, () => 'http://0.0.0.0/'), `cmdline${where}`);
    for (const r of t.refs) await checkLocal(r, `file named in the cmdline${where}`, baseDir);
  }
}

export default definePlugin<StaticOptions>({
  name: 'static',
  description: 'boots every machine with one kernel, initrds and cmdline (pixie boot)',
  options: staticOptions,
  async setup(ctx) {
    const o = ctx.options;
    const baseDir = ctx.core.baseDir;
    await checkSet(o, '', baseDir);
    for (const [arch, set] of Object.entries(o.perArch ?? {})) await checkSet(set, ` for ${arch}`, baseDir);
    const perArch = o.perArch
      ? (Object.fromEntries(Object.entries(o.perArch).map(([a, s]) => [a, Object.freeze({ ...s })])) as BootSpec['perArch'] & Partial<Record<Arch, unknown>>)
      : undefined;
    const spec: BootSpec = Object.freeze({
      kernel: o.kernel,
      initrd: Object.freeze([...o.initrd]),
      cmdline: o.cmdline,
      message: o.message,
      perArch,
    });
    ctx.log.debug({ kernel: o.kernel, initrd: o.initrd }, 'booting every machine with one kernel');
    // Always the same object: downstream caches (scripts) key on it.
    ctx.tap('boot:decide', async () => spec);
  },
});
