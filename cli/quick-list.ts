/** `pixie quick --list`: asks the quick plugin for its recipes. */
import { BUILTIN_PLUGINS } from '../core/builtins.js';

export async function listRecipes(): Promise<string> {
  const load = BUILTIN_PLUGINS.quick;
  if (!load) return 'No quick recipes are available in this build.\n';
  const mod = (await load()) as { listRecipes?: () => string };
  return mod.listRecipes ? mod.listRecipes() : 'No quick recipes are available in this build.\n';
}
