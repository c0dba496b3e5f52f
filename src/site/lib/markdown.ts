/**
 * Plain-text helpers every page uses, and the door to Markdown rendering (markdown-render.ts),
 * which loads marked and sanitize-html on first use: the workers that only serve pages never do.
 */

export type MarkdownRenderer = typeof import('./markdown-render.js');

let renderer: Promise<MarkdownRenderer> | undefined;

/** renderMarkdown and excerpt, imported on the first call (a write, or a row stored without an excerpt). */
export function loadMarkdown(): Promise<MarkdownRenderer> {
  renderer ??= import('./markdown-render.js');
  return renderer;
}

/** The longest excerpt stored with an article (articles.excerpt); pages shorten it further. */
export const EXCERPT_MAX = 300;

/**
 * Cuts plain text to at most `maxLength` at a word boundary, with an ellipsis. Shortening a
 * stored excerpt gives the same text as an excerpt of the Markdown at that length.
 */
export function shorten(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;
  const cut = text.slice(0, maxLength);
  const lastSpace = cut.lastIndexOf(' ');
  const head = lastSpace > maxLength / 2 ? cut.slice(0, lastSpace) : cut;
  return `${head.replace(/[\s.,;:!?…-]+$/, '')}…`;
}
