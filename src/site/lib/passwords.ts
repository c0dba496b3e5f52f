import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** ASVS V2.1: at least 12 characters, at least 64 allowed (we take 128), no composition rules. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

// Beside this file's folder both as src/site/lib/passwords.ts and dist/site/lib/passwords.js
// (scripts/copy-site-data.js copies src/site/data into dist at build time).
const LIST_PATH = fileURLToPath(new URL('../data/common-passwords.txt', import.meta.url));

let common: Set<string> | undefined;

/** Read once, on first use; a missing list is a broken build, so it throws rather than let anything pass. */
function commonPasswords(): Set<string> {
  common ??= new Set(
    readFileSync(LIST_PATH, 'utf8')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return common;
}

export function isCommonPassword(password: string): boolean {
  return commonPasswords().has(password.trim().toLowerCase());
}

/**
 * Why a new password is refused, or null when it is fine. Length counts characters (code points),
 * as a person would; `context` holds words that would make it guessable (the email, the name).
 */
export function passwordProblem(password: string, context: readonly string[] = []): string | null {
  const length = [...password].length;
  if (length < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (length > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  if (isCommonPassword(password)) return 'This password is too common: choose one that is harder to guess.';
  const lower = password.toLowerCase();
  for (const word of context) {
    const w = word.trim().toLowerCase();
    if (w.length >= 4 && lower === w) return 'The password must not be your email or name.';
  }
  return null;
}

/** Loads the list now (at app start), so a release without it fails at once instead of at the first sign-up. */
export function loadCommonPasswords(): number {
  return commonPasswords().size;
}
