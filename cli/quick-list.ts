/** `pixie quick --list`: asks the quick plugin for its recipes. */
import { BUILTIN_PLUGINS } from '../core/builtins.js';

export async function listRecipes(): Promise<string> {
  const load = BUILTIN_PLUGINS.quick;
  if (!load) return 'No quick recipes are available in this build.\n';
  const mod = (await load()) as { listRecipes?: () => string };
  return mod.listRecipes ? mod.listRecipes() : 'No quick recipes are available in this build.\n';
}

/** The quick plugin's `recipeHelp(args)`, for `pixie quick <recipe> --help`. */
export async function loadRecipeHelp(): Promise<((args: readonly string[]) => string) | undefined> {
  const load = BUILTIN_PLUGINS.quick;
  if (!load) return undefined;
  const mod = (await load()) as { recipeHelp?: (args: readonly string[]) => string };
  return mod.recipeHelp;
}
