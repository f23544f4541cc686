/** Every built-in `pixie quick` recipe, in `--list` order. */
import type { Recipe } from '../recipe.js';
import { xyz } from './xyz.js';
import { debian } from './debian.js';
import { ubuntu } from './ubuntu.js';
import { fedora } from './fedora.js';
import { alma, centos, rocky } from './enterprise.js';
import { arch } from './arch.js';
import { alpine } from './alpine.js';
import { flatcar } from './flatcar.js';

export const RECIPES: readonly Recipe[] = [xyz, debian, ubuntu, fedora, alma, rocky, centos, arch, alpine, flatcar];

/** A recipe by name or alias (case-insensitive). */
export function findRecipe(name: string, recipes: readonly Recipe[] = RECIPES): Recipe | undefined {
  const n = name.toLowerCase();
  return recipes.find((r) => r.name === n || (r.aliases ?? []).includes(n));
}
