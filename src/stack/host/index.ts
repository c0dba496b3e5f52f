export type {
  AppendStream,
  Argv,
  Child,
  FileInfo,
  FileMode,
  Host,
  Owner,
  ProcessInfo,
  RunOptions,
  RunResult,
  StartOptions,
} from './host.js';
export { CommandFailed, LocalHost, localHost } from './local.js';
