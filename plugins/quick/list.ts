/** Text for `pixie quick --list` and `pixie quick <recipe> --help`. */
import type { Recipe } from './recipe.js';
import { RECIPES, findRecipe } from './recipes/index.js';

function versionsLine(r: Recipe): string {
  const [first, ...rest] = r.versions;
  return `${first} (default)${rest.length ? `, ${rest.join(', ')}` : ''}${r.otherVersions ? `; ${r.otherVersions}` : ''}`;
}

function describe(r: Recipe, indent: string): string[] {
  return [
    `${indent}versions: ${versionsLine(r)}`,
    `${indent}arch:     ${Object.values(r.arches).join(', ')}`,
    `${indent}mirror:   ${r.mirror}`,
  ];
}

/** The text `pixie quick --list` prints. */
export function listRecipes(recipes: readonly Recipe[] = RECIPES): string {
  const lines = ['Recipes for `pixie quick <recipe> [version] [--arch <arch>] [--mirror <url>]`:', ''];
  for (const r of recipes) {
    lines.push(`  ${r.name.padEnd(8)} ${r.description}${r.aliases?.length ? ` (also: ${r.aliases.join(', ')})` : ''}`);
    lines.push(...describe(r, '           '));
  }
  lines.push('', 'Example: pixie quick debian trixie --arch arm64. How to add a recipe: docs/quick.md.', '');
  return lines.join('\n');
}

/**
 * Help text after `pixie quick … --help`: details of the recipe named in
 * `args` (the command's operands), or the recipe names.
 */
export function recipeHelp(args: readonly string[] = []): string {
  const name = args.find((a) => !a.startsWith('-'));
  const r = name ? findRecipe(name) : undefined;
  if (!r) {
    return `\nRecipes: ${RECIPES.map((x) => x.name).join(', ')}. \`pixie quick --list\` shows their versions, architectures and mirrors.\n`;
  }
  const [example] = r.versions;
  return [
    '',
    `Recipe ${r.name}: ${r.description}`,
    ...describe(r, '  '),
    '',
    'Without --arch each machine gets the build for its own architecture (x86 BIOS/UEFI: x86-64).',
    `Example:\n  pixie quick ${r.name} ${example} --dhcp-no-bind`,
    '',
  ].join('\n');
}
