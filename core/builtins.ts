/**
 * Built-in plugins, by the name `--plugin NAME` uses. Imported lazily so
 * that a plugin's dependencies load only when it is used.
 */
export interface BuiltinPlugin {
  readonly description: string;
  readonly load: () => Promise<unknown>;
}

export const BUILTINS: Readonly<Record<string, BuiltinPlugin>> = {
};

export const BUILTIN_PLUGINS: Readonly<Record<string, () => Promise<unknown>>> = Object.fromEntries(
  Object.entries(BUILTINS).map(([name, b]) => [name, b.load]),
);
