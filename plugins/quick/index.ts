/**
 * `quick` — `pixie quick <recipe> [version] [--arch] [--mirror]`: boot a
 * well-known distribution's installer or live system (or netboot.xyz)
 * straight from its upstream mirror. Like Pixiecore's `quick`, it is static
 * mode with the kernel, initrds and cmdline filled in by a recipe
 * (plugins/quick/recipes/; docs/quick.md tells how to add one).
 *
 * Without `--arch`, each machine gets the build for its own architecture
 * (x86 BIOS and UEFI machines the x86-64 one, arm64 UEFI machines the arm64
 * one); a machine whose architecture the recipe lacks is ignored, with a log
 * line. With `--arch`, every machine gets that build.
 */
import { z } from 'zod';
import { definePlugin } from '../../core/plugin.js';
import { PixieError } from '../../core/errors.js';
import type { Arch } from '../../core/boot/machine.js';
import type { BootSpec } from '../../core/boot/spec.js';
import { parseCmdline, renderCmdline } from '../../core/boot/template.js';
import { ipxeArgs } from '../../core/boot/ipxe-text.js';
import type { Recipe, RecipeTarget } from './recipe.js';
import { RECIPES, findRecipe } from './recipes/index.js';

export { RECIPES, findRecipe } from './recipes/index.js';
export { listRecipes, recipeHelp } from './list.js';
export type { Recipe, RecipeTarget } from './recipe.js';

/** Architecture names accepted by `--arch`, mapped to pixie's. */
const ARCH_ALIASES: Readonly<Record<string, Arch>> = {
  x64: 'x64',
  amd64: 'x64',
  x86_64: 'x64',
  arm64: 'arm64',
  aarch64: 'arm64',
  ia32: 'ia32',
  i386: 'ia32',
  i686: 'ia32',
  arm32: 'arm32',
  armhf: 'arm32',
};

export const quickOptions = z
  .object({
    /** Recipe name (`pixie quick --list`). */
    recipe: z.string().min(1),
    /** Release; default: the recipe's first listed version. */
    version: z.string().min(1).optional(),
    /** Architecture for every machine (`amd64`, `x86_64`, `arm64`, …); default: each machine's own. */
    arch: z.string().min(1).optional(),
    /** Mirror base URL replacing the recipe's default. */
    mirror: z.string().regex(/^[a-z][a-z0-9+.-]*:\/\//i, 'a URL such as https://mirror.example/debian').optional(),
    /** Extra kernel arguments, appended to the recipe's (may use {{ ID "file" }}). */
    cmdline: z.string().default(''),
    /** Message iPXE prints before booting. */
    message: z.string().optional(),
  })
  .strict();

export type QuickOptions = z.output<typeof quickOptions>;

const optionsError = (msg: string) => new PixieError('PIXIE_ERR_PLUGIN_OPTIONS', msg);

/** pixie arch of an `--arch` value for a recipe, or an error message. */
function pickArch(recipe: Recipe, given: string): Arch {
  const lower = given.toLowerCase();
  const arch = ARCH_ALIASES[lower] ?? (Object.entries(recipe.arches).find(([, up]) => up === lower)?.[0] as Arch | undefined);
  if (!arch || !recipe.arches[arch]) {
    throw optionsError(`Recipe ${recipe.name} has no build for architecture "${given}"; it has: ${Object.values(recipe.arches).join(', ')}.`);
  }
  return arch;
}

/** Check the options against the recipe; returns the recipe and the (default-filled) version. */
export function checkQuickOptions(o: QuickOptions): { recipe: Recipe; version: string; arch?: Arch | undefined } {
  const recipe = findRecipe(o.recipe);
  if (!recipe) throw optionsError(`Unknown quick recipe "${o.recipe}". Recipes: ${RECIPES.map((r) => r.name).join(', ')} (pixie quick --list).`);
  const version = o.version ?? recipe.versions[0]!;
  const ok = recipe.accepts ? recipe.accepts(version) : recipe.versions.includes(version);
  if (!ok) {
    throw optionsError(
      `Recipe ${recipe.name} has no version "${version}". Versions: ${recipe.versions.join(', ')}${recipe.otherVersions ? ` (${recipe.otherVersions})` : ''}.`,
    );
  }
  return { recipe, version, arch: o.arch !== undefined ? pickArch(recipe, o.arch) : undefined };
}

/** Append the user's cmdline to the recipe's. */
function withUserParts(spec: BootSpec, o: QuickOptions): BootSpec {
  const cmdline = [spec.cmdline ?? '', o.cmdline].filter((s) => s.trim() !== '').join(' ');
  return Object.freeze({ ...spec, ...(cmdline ? { cmdline } : {}), ...(o.message ? { message: o.message } : {}) });
}

export default definePlugin<QuickOptions>({
  name: 'quick',
  description: 'boots a well-known distribution or netboot.xyz (pixie quick <recipe>)',
  options: quickOptions,
  setup(ctx) {
    const o = ctx.options;
    const { recipe, version, arch: fixedArch } = checkQuickOptions(o);
    const mirror = (o.mirror ?? recipe.mirror).replace(/\/+$/, '');
    if (o.cmdline) {
      parseCmdline(o.cmdline);
      ipxeArgs(renderCmdline(o.cmdline, () => 'http://0.0.0.0/'), 'cmdline');
    }
    // One frozen spec per (arch, firmware): the script cache keys on the object.
    const specs = new Map<string, BootSpec>();
    const specFor = (arch: Arch, firmware: RecipeTarget['firmware']): BootSpec => {
      const key = `${arch}/${firmware}`;
      let spec = specs.get(key);
      if (!spec) {
        const target: RecipeTarget = { version, arch, upstreamArch: recipe.arches[arch]!, mirror, firmware };
        spec = withUserParts(recipe.build(target), o);
        specs.set(key, spec);
        ctx.log.debug({ recipe: recipe.name, version, arch, firmware, kernel: spec.kernel }, 'quick recipe built');
      }
      return spec;
    };
    // Build once now, so a broken recipe shows at start-up rather than at the first boot.
    specFor(fixedArch ?? (Object.keys(recipe.arches)[0] as Arch), 'bios');
    ctx.log.info({ recipe: recipe.name, version, arch: fixedArch ?? 'per machine', mirror }, `booting machines into ${recipe.name} ${version}`);

    ctx.tap('boot:decide', async (machine) => {
      const arch = fixedArch ?? machine.arch;
      if (!recipe.arches[arch]) {
        ctx.log.info(
          { mac: machine.mac, arch },
          `machine ignored: recipe ${recipe.name} has no ${arch} build (it has ${Object.keys(recipe.arches).join(', ')}; --arch picks one for every machine)`,
        );
        return null;
      }
      return specFor(arch, machine.firmware);
    });
  },
});
