/**
 * What a `pixie quick` recipe is: a name, the versions and architectures it
 * knows, a default mirror, and `build()` — a small, pure function from a
 * target (version, architecture, mirror, firmware) to a BootSpec. Recipes do
 * no I/O: the kernel and initrd URLs they return are fetched (and cached)
 * by pixie's file sources when a machine boots.
 */
import type { Arch, Firmware } from '../../core/boot/machine.js';
import type { BootSpec } from '../../core/boot/spec.js';

/** What one machine (or `--arch`) asks a recipe to build. */
export interface RecipeTarget {
  /** The version as given (or the recipe's default); `accepts()` has approved it. */
  readonly version: string;
  /** pixie's architecture name (`x64`, `arm64`, …); one of the recipe's `arches`. */
  readonly arch: Arch;
  /** The upstream name of that architecture (`amd64`, `x86_64`, `aarch64`, …). */
  readonly upstreamArch: string;
  /** Mirror base URL, without a trailing slash. */
  readonly mirror: string;
  /** The machine's firmware (only netboot.xyz cares: BIOS and UEFI get different files). */
  readonly firmware: Firmware;
}

export interface Recipe {
  readonly name: string;
  /** Other names accepted on the command line. */
  readonly aliases?: readonly string[];
  /** One line for `pixie quick --list`. */
  readonly description: string;
  /** Versions to show in `--list`, the default first. */
  readonly versions: readonly string[];
  /** Shown after the version list, e.g. "or YYYY.MM.DD". */
  readonly otherVersions?: string;
  /** Whether a version is valid (default: it is in `versions`). */
  accepts?(version: string): boolean;
  /** pixie architecture → upstream name; the first entry is the default. */
  readonly arches: Readonly<Partial<Record<Arch, string>>>;
  /** Default mirror base URL (`{channel}`-style placeholders are the recipe's business). */
  readonly mirror: string;
  build(target: RecipeTarget): BootSpec;
}

/** Join a mirror base and path segments with single slashes. */
export function url(base: string, ...path: string[]): string {
  return [base.replace(/\/+$/, ''), ...path.map((p) => p.replace(/^\/+|\/+$/g, ''))].join('/');
}
