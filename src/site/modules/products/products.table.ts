import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** ISO 4217 codes the shop sells in; all have two minor units, so price_cents means cents. */
export const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF', 'CAD', 'AUD', 'SEK', 'NOK', 'DKK'] as const;
export type Currency = (typeof CURRENCIES)[number];

export interface ProductsTable {
  id: Generated<number>;
  slug: string;
  name: string;
  description: string;
  price_cents: number;
  currency: Currency;
  stock: number;
  /** A path under /uploads/ (e.g. /uploads/3f…a1.png), or null. */
  image_path: string | null;
  created_at: ColumnType<Date, Date | undefined, never>;
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

export type ProductRow = Selectable<ProductsTable>;
export type NewProductRow = Insertable<ProductsTable>;
export type ProductUpdate = Updateable<ProductsTable>;
