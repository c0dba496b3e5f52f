#!/usr/bin/env node
// Copies the bench's wrk script (bench/lua) next to the compiled bench in dist/bench, so that
// `webstack bench` runs from the build alone; tsc copies only TypeScript.
import { cpSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
cpSync(`${ROOT}bench/lua`, `${ROOT}dist/bench/bench/lua`, { recursive: true });
