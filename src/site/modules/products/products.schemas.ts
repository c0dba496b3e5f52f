import Type, { type Static } from 'typebox';
import { Csrf } from '../../lib/schemas.js';
import { DESCRIPTION_MAX, NAME_MAX, PRICE_MAX_CENTS, STOCK_MAX } from './products.service.js';
import { CURRENCIES } from './products.table.js';

export const DeleteForm = Type.Object({ _csrf: Csrf });

const Currency = Type.Enum(CURRENCIES);
const Name = Type.String({ minLength: 1, maxLength: NAME_MAX, pattern: '\\S' });
const Description = Type.String({ maxLength: DESCRIPTION_MAX });
const PriceCents = Type.Integer({ minimum: 0, maximum: PRICE_MAX_CENTS });
const Stock = Type.Integer({ minimum: 0, maximum: STOCK_MAX });

export const ProductCreate = Type.Object(
  {
    name: Name,
    description: Type.Optional(Description),
    priceCents: PriceCents,
    currency: Currency,
    stock: Type.Optional(Stock),
  },
  { additionalProperties: false },
);
export const ProductPatch = Type.Object(
  {
    name: Type.Optional(Name),
    description: Type.Optional(Description),
    priceCents: Type.Optional(PriceCents),
    currency: Type.Optional(Currency),
    stock: Type.Optional(Stock),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ProductJson = Type.Object({
  id: Type.Integer(),
  slug: Type.String(),
  url: Type.String(),
  name: Type.String(),
  description: Type.String(),
  priceCents: Type.Integer(),
  currency: Currency,
  /** For display, e.g. "€12.50". */
  price: Type.String(),
  stock: Type.Integer(),
  imageUrl: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});
export type ProductJson = Static<typeof ProductJson>;

export const ProductList = Type.Object({
  items: Type.Array(ProductJson),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});
