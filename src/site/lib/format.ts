/** Display formats shared by pages, the feed and the API. Pure. */

const DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

const DAY_MS = 24 * 60 * 60 * 1000;
/** Intl formatting costs microseconds per call, and a page formats a date per article: one per day. */
const formattedDays = new Map<number, string>();

export function formatDate(date: Date): string {
  const day = Math.floor(date.getTime() / DAY_MS);
  let text = formattedDays.get(day);
  if (text === undefined) {
    text = DATE.format(date);
    if (formattedDays.size >= 10_000) formattedDays.clear();
    formattedDays.set(day, text);
  }
  return text;
}

const money = new Map<string, Intl.NumberFormat>();

/** 129900, 'EUR' → "€1,299.00". All allowed currencies have two minor units. */
export function formatPrice(cents: number, currency: string): string {
  let format = money.get(currency);
  if (!format) {
    format = new Intl.NumberFormat('en-US', { style: 'currency', currency });
    money.set(currency, format);
  }
  return format.format(cents / 100);
}

/** "12.34" or "12,34" or "12" → 1234 cents; null when it is not a price. */
export function parsePrice(text: string): number | null {
  const match = /^\s*(\d{1,8})(?:[.,](\d{1,2}))?\s*$/.exec(text);
  if (!match) return null;
  const whole = Number(match[1]);
  const fraction = Number((match[2] ?? '0').padEnd(2, '0'));
  return whole * 100 + fraction;
}

/** 1234 → "12.34", for putting a price back into a form field. */
export function centsToInput(cents: number): string {
  return `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
}
