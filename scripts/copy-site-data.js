#!/usr/bin/env node
// Copies the site's data files (src/site/data: the common-password list) into dist/site/data,
// where the built site reads them; tsc copies only TypeScript.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
cpSync(`${ROOT}src/site/data`, `${ROOT}dist/site/data`, { recursive: true });
