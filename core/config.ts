/**
 * Configuration loading: cosmiconfig finds pixie.config.{js,mjs,cjs,json,yaml},
 * `.pixierc*` or package.json#pixie (or the file given by --config); CLI flags
 * are merged over it (flags win) and the result is validated once and frozen.
 */
import { cosmiconfig } from 'cosmiconfig';
import { dirname, resolve } from 'node:path';
import { configSchema, type PixieConfig, type PixieConfigInput, type PluginEntry } from './config-schema.js';
import { PixieError } from './errors.js';
import { formatIssues } from './validate.js';

export { defineConfig, type PixieConfig, type PixieConfigInput } from './config-schema.js';

export interface LoadedConfig {
  config: PixieConfig;
  /** The config file used, if any. */
  filepath?: string | undefined;
  /** Directory relative references resolve against. */
  baseDir: string;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

/** Deep-merge plain objects; arrays and scalars from `over` replace. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    if (k === 'plugins') continue;
    const cur = out[k];
    out[k] = isPlainObject(cur) && isPlainObject(v) ? mergeConfig(cur, v) : v;
  }
  const plugins = mergePlugins((base.plugins ?? []) as PluginEntry[], (over.plugins ?? []) as PluginEntry[]);
  if (plugins.length > 0 || 'plugins' in base || 'plugins' in over) out.plugins = plugins;
  return out;
}

const entryName = (e: PluginEntry): unknown => {
  const ref = Array.isArray(e) ? e[0] : e;
  return typeof ref === 'string' ? ref : (ref as { name?: string }).name;
};

/** Plugins from both lists, in order; a plugin named in both gets merged options (flags win). */
function mergePlugins(base: PluginEntry[], over: PluginEntry[]): PluginEntry[] {
  const out = [...base];
  for (const e of over) {
    const i = out.findIndex((b) => entryName(b) === entryName(e));
    if (i < 0) {
      out.push(e);
      continue;
    }
    const prev = out[i]!;
    const prevOpts = Array.isArray(prev) ? prev[1] : undefined;
    const newOpts = Array.isArray(e) ? e[1] : undefined;
    const merged = isPlainObject(prevOpts) && isPlainObject(newOpts) ? { ...prevOpts, ...newOpts } : (newOpts ?? prevOpts);
    out[i] = merged === undefined ? prev : [Array.isArray(prev) ? prev[0] : prev, merged];
  }
  return out;
}

/** Validate a raw config object; throws PIXIE_ERR_CONFIG naming key, value and rule. */
export function validateConfig(raw: unknown, source = 'configuration'): PixieConfig {
  const parsed = configSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new PixieError('PIXIE_ERR_CONFIG', `Invalid ${source}: ${formatIssues(parsed.error, raw)}.`);
  }
  return Object.freeze(parsed.data);
}

export interface LoadConfigOptions {
  /** Explicit config file (--config). */
  file?: string | undefined;
  /** Where to search from (default cwd). */
  cwd?: string;
  /** Values from CLI flags; they win over the file. */
  overrides?: PixieConfigInput;
  /** Skip searching for a config file (tests). */
  search?: boolean;
}

export async function loadConfig(opts: LoadConfigOptions = {}): Promise<LoadedConfig> {
  const cwd = opts.cwd ?? process.cwd();
  const explorer = cosmiconfig('pixie', {
    searchStrategy: 'project',
    searchPlaces: [
      'package.json',
      'pixie.config.js',
      'pixie.config.mjs',
      'pixie.config.cjs',
      'pixie.config.json',
      'pixie.config.yaml',
      'pixie.config.yml',
      '.pixierc',
      '.pixierc.json',
      '.pixierc.yaml',
      '.pixierc.yml',
    ],
  });
  let fileConfig: Record<string, unknown> = {};
  let filepath: string | undefined;
  try {
    const found = opts.file ? await explorer.load(resolve(cwd, opts.file)) : opts.search === false ? null : await explorer.search(cwd);
    if (found && !found.isEmpty) {
      filepath = found.filepath;
      const value: unknown = found.config;
      const cfg = isPlainObject(value) ? value : (value as { default?: unknown } | null)?.default;
      if (!isPlainObject(cfg)) {
        throw new PixieError('PIXIE_ERR_CONFIG', `Invalid config file ${found.filepath}: it must export an object (use defineConfig({...})).`);
      }
      fileConfig = cfg;
    }
  } catch (err) {
    if (err instanceof PixieError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const where = opts.file ? resolve(cwd, opts.file) : 'pixie config';
    const why = code === 'ENOENT' ? 'file not found' : err instanceof Error ? err.message : String(err);
    throw new PixieError('PIXIE_ERR_CONFIG', `Cannot read config file ${where}: ${why}.`, { cause: err });
  }
  const merged = mergeConfig(fileConfig, (opts.overrides ?? {}));
  const config = validateConfig(merged, filepath ? `configuration (file ${filepath} merged with flags)` : 'configuration');
  return { config, filepath, baseDir: filepath ? dirname(filepath) : cwd };
}
