/**
 * Plugin resolution: `--plugin NAME` is looked up as a built-in, then as the
 * npm packages `pixie-plugin-NAME` (or `@scope/pixie-plugin-NAME` for
 * `@scope/NAME`) and `NAME` itself, then as a path. The first hit wins; a miss
 * is one error listing everything that was tried.
 */
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BUILTIN_PLUGINS } from './builtins.js';
import { PixieError } from './errors.js';
import { isPluginDefinition, type PluginDefinition } from './plugin.js';

const looksLikePath = (s: string) => s.startsWith('.') || isAbsolute(s) || /\.(c|m)?js$/.test(s);

/** npm package names to try for a plugin name. */
export function packageCandidates(name: string): string[] {
  if (name.startsWith('@')) {
    const [scope, bare] = name.split('/', 2);
    if (!bare) return [];
    return bare.startsWith('pixie-plugin-') ? [name] : [`${scope}/pixie-plugin-${bare}`, name];
  }
  return name.startsWith('pixie-plugin-') ? [name] : [`pixie-plugin-${name}`];
}

/** Find an installed package's entry file from `fromDir` upwards (ESM-only packages too). */
function resolvePackage(pkg: string, fromDir: string): string | undefined {
  try {
    return createRequire(join(fromDir, 'noop.js')).resolve(pkg);
  } catch {
    // ESM-only packages have no "require" export; read their package.json.
  }
  for (let dir = fromDir; ; dir = dirname(dir)) {
    const pj = join(dir, 'node_modules', pkg, 'package.json');
    if (existsSync(pj)) {
      const meta = JSON.parse(readFileSync(pj, 'utf8')) as { exports?: unknown; main?: string; module?: string };
      const exp = meta.exports;
      let entry: unknown = typeof exp === 'string' ? exp : undefined;
      if (!entry && exp && typeof exp === 'object') {
        const root = ((exp as Record<string, unknown>)['.'] ?? exp) as unknown;
        entry = typeof root === 'string' ? root : ((root as Record<string, unknown>).import ?? (root as Record<string, unknown>).default);
      }
      return join(dirname(pj), typeof entry === 'string' ? entry : (meta.module ?? meta.main ?? 'index.js'));
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** Pick the plugin out of a module: default export, `plugin` export, or a no-arg factory. */
export function pluginFromModule(mod: unknown, where: string): PluginDefinition {
  const m = mod as Record<string, unknown>;
  for (const candidate of [m.default, m.plugin, mod]) {
    if (isPluginDefinition(candidate)) return candidate;
    if (typeof candidate === 'function') {
      const made: unknown = (candidate as () => unknown)();
      if (isPluginDefinition(made)) return made;
    }
  }
  throw new PixieError(
    'PIXIE_ERR_PLUGIN_LOAD',
    `${where} does not export a plugin: export default definePlugin({ name, setup(ctx) { ... } }).`,
  );
}

/** Resolve `--plugin NAME` to a plugin definition. */
export async function loadPlugin(name: string, baseDir: string): Promise<PluginDefinition> {
  const tried: string[] = [];
  const builtin = BUILTIN_PLUGINS[name];
  if (builtin) return pluginFromModule(await builtin(), `built-in plugin "${name}"`);
  tried.push(`built-in (${Object.keys(BUILTIN_PLUGINS).join(', ') || 'none'})`);

  if (!looksLikePath(name)) {
    for (const pkg of packageCandidates(name)) {
      tried.push(`npm package ${pkg}`);
      const file = resolvePackage(pkg, baseDir);
      if (file) return importPlugin(file, `package ${pkg}`);
    }
  }
  const path = resolve(baseDir, name);
  tried.push(`path ${path}`);
  if (existsSync(path)) return importPlugin(path, path);
  throw new PixieError('PIXIE_ERR_PLUGIN_LOAD', `Unknown plugin "${name}". Tried: ${tried.join('; ')}. Run "pixie plugins" to list what is available.`);
}

async function importPlugin(file: string, where: string): Promise<PluginDefinition> {
  let mod: unknown;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (err) {
    throw new PixieError('PIXIE_ERR_PLUGIN_LOAD', `Cannot load plugin from ${where}: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  }
  return pluginFromModule(mod, where);
}
