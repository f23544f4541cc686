/**
 * Flags that built-in plugins add to the command line. They are declared
 * here (not imported from the plugins) so `--help` stays fast and a plugin's
 * dependencies load only when the plugin is used. A flag that is given adds
 * its plugin to the list (merged with the plugin's entry in the config file).
 */
export interface BuiltinFlag {
  readonly plugin: string;
  /** Commander syntax. */
  readonly flags: string;
  readonly description: string;
  /** Option key in the plugin's options. */
  readonly key: string;
  /** Repeatable flag collected into an array. */
  readonly list?: boolean;
}

export const BUILTIN_FLAGS: readonly BuiltinFlag[] = [];
