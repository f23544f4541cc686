/**
 * Every error pixie raises on purpose carries a `PIXIE_ERR_*` code. The list
 * is sorted and each code is explained (cause and fix) in docs/errors.md.
 */
export const ERROR_CODES = {
  PIXIE_ERR_BIND: 'a server could not listen on its address/port',
  PIXIE_ERR_CONFIG: 'the configuration (file or flags) is invalid',
  PIXIE_ERR_FILE_NOT_FOUND: 'a referenced local file does not exist',
  PIXIE_ERR_FORBIDDEN: 'a file source refused access to a file (HTTP 403)',
  PIXIE_ERR_HOOK: 'a plugin tap threw while a hook ran',
  PIXIE_ERR_NOT_FOUND: 'a file source has no such file (HTTP 404)',
  PIXIE_ERR_PLUGIN_LOAD: 'a plugin could not be found or loaded',
  PIXIE_ERR_PLUGIN_OPTIONS: "a plugin's options are invalid",
  PIXIE_ERR_PLUGIN_SETUP: "a plugin's setup() failed or timed out",
  PIXIE_ERR_TEMPLATE: 'a cmdline template is invalid',
  PIXIE_ERR_UPSTREAM: 'a remote file source failed',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class PixieError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PixieError';
    this.code = code;
  }
}

export const isPixieError = (e: unknown): e is PixieError => e instanceof PixieError;
