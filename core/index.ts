/**
 * pixie's public API: create an instance, define plugins and configs.
 */
export { createPixie, type Pixie, type CreatePixieOptions } from './pixie.js';
export { definePlugin, type PluginDefinition, type PluginContext, type CoreServices, type PluginFlag, type TapOptions } from './plugin.js';
export { defineConfig, loadConfig, validateConfig, type PixieConfig, type PixieConfigInput } from './config.js';
export { createHooks, HOOK_INFO, type PixieHooks, type HookName, type DhcpRequestInfo, type TftpRequest, type FileRequest } from './hooks.js';
export { type PixieEvents, type PixieEmitter, type EventName } from './events.js';
export { PixieError, ERROR_CODES, type ErrorCode } from './errors.js';
export { type Machine, type Arch, type Firmware, type BootStage, normalizeMac } from './boot/machine.js';
export { type BootSpec, type FileSource, type ByteRange } from './boot/spec.js';
export { createLogger, type Logger } from './log.js';
export { z } from 'zod';
