/**
 * `ipxe-script`: the built-in iPXE script renderer, loaded by default. It taps
 * `ipxe:script` and turns a machine's BootSpec into a script. A BootSpec's own
 * `ipxeScript` is served verbatim. Users can replace the layout with a script
 * template file (`template`) or a function in pixie.config.js (`render`).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { z } from 'zod';
import { definePlugin } from '../../core/plugin.js';
import { PixieError } from '../../core/errors.js';
import { specForArch, type BootSpec } from '../../core/boot/spec.js';
import type { Machine } from '../../core/boot/machine.js';
import { parseTemplate, type ParsedTemplate } from '../../core/boot/template.js';
import { fileUrl, machineBase } from '../../core/boot/urls.js';
import { defaultScript, renderUserScript, scriptParts, TEMPLATE_VARIABLES, type ScriptEnv, type ScriptParts } from './script.js';

export { defaultScript, scriptParts, renderUserScript, TEMPLATE_VARIABLES, type ScriptEnv, type ScriptParts } from './script.js';

/** What a `render` function receives. */
export interface RenderInput {
  readonly machine: Machine;
  /** The BootSpec with the machine's per-arch overrides applied. */
  readonly spec: BootSpec;
  /** `http://<address>[:port]` the machine reaches pixie at. */
  readonly base: string;
  /** Absolute, signed URL for any file reference. */
  fileUrl(ref: string): string;
  /** The pieces of the default script (URLs, cmdline, …). */
  readonly parts: ScriptParts;
  /** The default script, to return as is or to edit. */
  readonly script: string;
}

/** Per-machine script function; return nothing to use the default script. */
export type RenderFn = (input: RenderInput) => string | undefined | Promise<string | undefined>;

export const ipxeScriptOptions = z
  .object({
    /** Path of an iPXE script template (relative to the config file's directory). */
    template: z.string().min(1).optional(),
    /** A function rendering the script per machine. */
    render: z.custom<RenderFn>((v) => typeof v === 'function', { message: 'a function ({ machine, spec, script, … }) => string' }).optional(),
  })
  .strict()
  .refine((o) => !(o.template && o.render), { message: 'give "template" or "render", not both' });

export type IpxeScriptOptions = z.output<typeof ipxeScriptOptions>;

const CACHE_PER_SPEC = 4096;

async function loadTemplate(path: string): Promise<ParsedTemplate> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new PixieError('PIXIE_ERR_FILE_NOT_FOUND', `iPXE script template ${path} cannot be read: ${(err as Error).message}.`, { cause: err });
  }
  if (!text.startsWith('#!ipxe')) {
    throw new PixieError('PIXIE_ERR_TEMPLATE', `iPXE script template ${path} must start with "#!ipxe" (iPXE refuses scripts without it).`);
  }
  return parseTemplate(text, { what: `iPXE script template ${path}`, variables: TEMPLATE_VARIABLES });
}

export default definePlugin<IpxeScriptOptions>({
  name: 'ipxe-script',
  description: 'renders the iPXE script of each machine (built-in; custom templates or functions)',
  options: ipxeScriptOptions,
  async setup(ctx) {
    const { render } = ctx.options;
    const template = ctx.options.template ? await loadTemplate(resolve(ctx.core.baseDir, ctx.options.template)) : undefined;
    const { listenAddr, port } = ctx.core.config;
    // Scripts are pure functions of (spec, machine, address): remember them per spec object.
    const cache = new WeakMap<BootSpec, Map<string, string>>();

    const build = async (machine: Machine, spec: BootSpec): Promise<string> => {
      if (spec.ipxeScript) return spec.ipxeScript;
      const base = machineBase(machine, listenAddr, port);
      const env: ScriptEnv = { base, fileId: (ref) => ctx.core.fileId(ref) };
      const archSpec = specForArch(spec, machine.arch);
      const parts = scriptParts(archSpec, machine, env);
      const script = template ? renderUserScript(template, parts, machine, env) : defaultScript(parts);
      if (!render) return script;
      const custom = await render({ machine, spec: archSpec, base, fileUrl: (ref) => fileUrl(base, env.fileId(ref)), parts, script });
      return custom || script;
    };

    ctx.tap('ipxe:script', async (script, machine, spec) => {
      // An earlier tap already produced a script: keep it.
      if (script) return script;
      if (render) return build(machine, spec);
      const key = `${machine.mac}|${machine.arch}|${machine.firmware}|${machine.serverAddress ?? ''}`;
      let perSpec = cache.get(spec);
      const hit = perSpec?.get(key);
      if (hit !== undefined) return hit;
      const out = await build(machine, spec);
      if (!perSpec) cache.set(spec, (perSpec = new Map<string, string>()));
      if (perSpec.size >= CACHE_PER_SPEC) perSpec.clear();
      perSpec.set(key, out);
      return out;
    });
  },
});
