/** One chart's series: the values and how to print them. */
export interface Series {
  title: string;
  /** [unix ms, value]; null values leave a gap. */
  values: [number, number | null][];
  format: (value: number) => string;
}

const W = 640;
const H = 140;
const PAD = { left: 64, right: 12, top: 12, bottom: 24 };

function round(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/**
 * A line chart as inline SVG, drawn on the server. Built only from numbers and the caller's
 * constant title and formatter, so nothing from outside lands in the markup. Presentation
 * attributes, no style attributes (the CSP forbids inline styles) and no script.
 */
export function lineChart(series: Series): string {
  const points = series.values.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
  const top = Math.max(...points.map((p) => p[1]), 0) || 1;
  const first = series.values[0]?.[0] ?? 0;
  const last = series.values.at(-1)?.[0] ?? first + 1;
  const span = Math.max(last - first, 1);
  const x = (t: number) => PAD.left + ((t - first) / span) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (v / top) * (H - PAD.top - PAD.bottom);
  const path = points.map(([t, v]) => `${round(x(t))},${round(y(v))}`).join(' ');
  const seconds = Math.round(span / 1000);
  const ago = seconds < 120 ? `${seconds} s ago` : `${Math.round(seconds / 60)} min ago`;
  const label = (text: string, tx: number, ty: number, anchor: string) =>
    `<text x="${round(tx)}" y="${round(ty)}" font-size="11" text-anchor="${anchor}" fill="currentColor">${text}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${series.title}">`,
    `<title>${series.title}</title>`,
    `<line x1="${PAD.left}" y1="${H - PAD.bottom}" x2="${W - PAD.right}" y2="${H - PAD.bottom}" stroke="#888" stroke-width="1"/>`,
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${H - PAD.bottom}" stroke="#888" stroke-width="1"/>`,
    label(series.format(top), PAD.left - 6, PAD.top + 8, 'end'),
    label(series.format(0), PAD.left - 6, H - PAD.bottom, 'end'),
    label(ago, PAD.left, H - 6, 'start'),
    label('now', W - PAD.right, H - 6, 'end'),
    points.length > 1
      ? `<polyline points="${path}" fill="none" stroke="#1f6feb" stroke-width="2" stroke-linejoin="round"/>`
      : label('not enough samples yet', W / 2, H / 2, 'middle'),
    '</svg>',
  ].join('');
}
