import type { Db } from '../database/database.js';

/** Loads the demo content (idempotent). Filled by the articles/products module. */
export async function seedDemo(_db: Db): Promise<void> {}
