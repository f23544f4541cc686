/**
 * Loading plugins into one pixie instance: resolve each entry, validate its
 * options against its schema, check `dependsOn`, run `setup(ctx)` with a
 * timeout, and collect `onClose` handlers (run LIFO on stop).
 */
import type { HookName } from './hooks.js';
import { PixieError } from './errors.js';
import { loadPlugin } from './loader.js';
import { guardTap, isPluginDefinition, type CoreServices, type PluginContext, type PluginDefinition } from './plugin.js';
import type { PluginEntry } from './config-schema.js';
import { formatIssues } from './validate.js';
import { corePlugin } from './defaults.js';
import { BUILTIN_PLUGINS } from './builtins.js';
import type { Pixie } from './pixie.js';

export interface LoadedPlugins {
  names: string[];
  close(): Promise<void>;
}

/** Plugins loaded whether or not the config names them (unless it does, with options). */
const DEFAULT_PLUGINS = ['ipxe-script'];

type Resolved = { def: PluginDefinition; raw: unknown };

async function resolveEntry(entry: PluginEntry, baseDir: string): Promise<Resolved> {
  const [ref, raw] = Array.isArray(entry) ? entry : [entry, undefined];
  if (typeof ref === 'string') return { def: await loadPlugin(ref, baseDir), raw };
  if (isPluginDefinition(ref)) return { def: ref, raw };
  throw new PixieError('PIXIE_ERR_PLUGIN_LOAD', 'A plugins entry is neither a name nor a definePlugin() value.');
}

export function validatePluginOptions(def: PluginDefinition, raw: unknown): unknown {
  if (!def.options) return raw ?? {};
  const parsed = def.options.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new PixieError('PIXIE_ERR_PLUGIN_OPTIONS', `Invalid options for plugin "${def.name}": ${formatIssues(parsed.error, raw ?? {})}.`);
  }
  return parsed.data;
}

function withTimeout<T>(p: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PixieError('PIXIE_ERR_PLUGIN_SETUP', `Plugin "${name}" did not finish setup() within ${ms} ms.`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export async function loadPlugins(pixie: Pixie, entries: readonly PluginEntry[], signal: AbortSignal): Promise<LoadedPlugins> {
  const resolved: Resolved[] = [{ def: corePlugin, raw: undefined }];
  const listed: Resolved[] = [];
  for (const entry of entries) listed.push(await resolveEntry(entry, pixie.baseDir));
  for (const name of DEFAULT_PLUGINS) {
    if (name in BUILTIN_PLUGINS && !listed.some((r) => r.def.name === name)) resolved.push(await resolveEntry(name, pixie.baseDir));
  }
  resolved.push(...listed);

  const closers: Array<{ name: string; fn: () => void | Promise<void> }> = [];
  const names: string[] = [];
  const close = async () => {
    for (const { name, fn } of closers.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        pixie.log.error({ plugin: name, err }, `plugin "${name}" failed while closing`);
      }
    }
  };

  try {
    for (const { def, raw } of resolved) {
      if (names.includes(def.name)) {
        throw new PixieError('PIXIE_ERR_PLUGIN_LOAD', `Plugin "${def.name}" is listed twice; list it once (with its options).`);
      }
      for (const dep of def.dependsOn ?? []) {
        if (!names.includes(dep)) {
          throw new PixieError('PIXIE_ERR_PLUGIN_LOAD', `Plugin "${def.name}" needs plugin "${dep}" to be loaded before it; add --plugin ${dep} first.`);
        }
      }
      const options = validatePluginOptions(def, raw);
      const ctx = makeContext(pixie, def.name, options, signal, (fn) => closers.push({ name: def.name, fn }));
      try {
        await withTimeout(Promise.resolve(def.setup(ctx as PluginContext<never>)), def.setupTimeoutMs ?? 10_000, def.name);
      } catch (err) {
        if (err instanceof PixieError) throw err;
        throw new PixieError('PIXIE_ERR_PLUGIN_SETUP', `Plugin "${def.name}" failed to set up: ${err instanceof Error ? err.message : String(err)}`, {
          cause: err,
        });
      }
      names.push(def.name);
      pixie.log.debug({ plugin: def.name }, 'plugin loaded');
    }
  } catch (err) {
    await close();
    throw err;
  }
  return { names, close };
}

function makeContext(
  pixie: Pixie,
  name: string,
  options: unknown,
  signal: AbortSignal,
  onClose: (fn: () => void | Promise<void>) => void,
): PluginContext {
  const core: CoreServices = pixie;
  return {
    name,
    hooks: pixie.hooks,
    events: pixie.events,
    log: pixie.log.child({ plugin: name }),
    options,
    core,
    signal,
    onClose,
    tap(hook: HookName, fn: (...args: never[]) => unknown, opts = {}) {
      const h = pixie.hooks[hook] as unknown as { tapPromise(o: object, f: unknown): void };
      h.tapPromise({ name, ...opts }, guardTap(name, hook, fn as (...a: unknown[]) => unknown));
    },
  } as PluginContext;
}
