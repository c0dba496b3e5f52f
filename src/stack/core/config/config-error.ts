import { WebstackError } from '../errors.js';

/** A config value the stack refuses: the key, the bad value and what is allowed. */
export function configError(key: string, value: unknown, allowed: string): WebstackError {
  return new WebstackError('CONFIG_INVALID', key, String(JSON.stringify(value)), allowed, key);
}
