/**
 * Built-in plugins, by the name `--plugin NAME` uses. Imported lazily so
 * that a plugin's dependencies load only when it is used.
 */
export const BUILTIN_PLUGINS: Readonly<Record<string, () => Promise<unknown>>> = {
};
