/**
 * Markdown rendering and excerpts: marked and sanitize-html, about 10 MiB a process. Only writes
 * need them (pages print what was stored), so the site loads this module on the first write
 * through `loadMarkdown()` in lib/markdown.ts; the seed, the bench and tests import it directly.
 */
import { Marked } from 'marked';
import sanitizeHtml from 'sanitize-html';
import { shorten } from './markdown.js';

/**
 * Markdown → HTML that is safe to put in a page as is. Marked keeps raw HTML from the source,
 * so everything it produces goes through an allow-list: no script/style/iframe, no event
 * handlers, links only to http(s)/mailto (or this site's own paths), images only from http(s)
 * or our /uploads/. Rendered once, at write time; pages print the stored result.
 */

const marked = new Marked({ gfm: true, breaks: false, async: false });

/** An uploaded file as the site names them: /uploads/<name>, no traversal, no query. */
const UPLOAD_SRC = /^\/uploads\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const ABSOLUTE_HTTP = /^https?:\/\//i;

function allowedImageSrc(src: string | undefined): boolean {
  if (src === undefined) return false;
  return ABSOLUTE_HTTP.test(src) || (UPLOAD_SRC.test(src) && !src.includes('..'));
}

const options: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'style'),
    'img',
    'h1',
    'h2',
    'del',
    'input',
  ],
  disallowedTagsMode: 'discard',
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height', 'loading'],
    code: ['class'],
    ol: ['start'],
    th: ['align'],
    td: ['align'],
    // GFM task lists render disabled checkboxes; nothing else may use <input>.
    input: ['type', 'checked', 'disabled'],
  },
  allowedClasses: { code: ['language-*'] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => ({ tagName, attribs: { ...attribs, rel: 'nofollow noopener' } }),
    img: (tagName, attribs) => {
      const { src, ...rest } = attribs;
      return { tagName, attribs: allowedImageSrc(src) ? { ...rest, src: src ?? '', loading: 'lazy' } : rest };
    },
    input: (tagName, attribs) =>
      attribs.type === 'checkbox'
        ? {
            tagName,
            attribs: { type: 'checkbox', disabled: '', ...('checked' in attribs ? { checked: '' } : {}) },
          }
        : { tagName: 'span', attribs: {} },
  },
  // An image whose source was refused is dropped whole rather than left as a broken <img>.
  exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
};

/**
 * The allow-list already makes these inert (text is escaped, attributes are quoted). Writing
 * them as character references as well keeps the stored HTML free of anything that would look
 * like script to a later, less careful context (an email, a feed reader); browsers show the
 * same characters.
 */
function neutralize(html: string): string {
  return html
    .replace(/(javascript|vbscript|data)(\s*):/gi, '$1$2&#58;')
    .replace(/\b(on\w+)(\s*)=/gi, '$1$2&#61;');
}

export function renderMarkdown(markdown: string): string {
  const raw = marked.parse(markdown, { async: false });
  return neutralize(sanitizeHtml(raw, options));
}

/** Block elements whose text does not read as prose in a one-line summary. */
const NOT_PROSE = [
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'pre',
  'table',
  'ul',
  'ol',
  'blockquote',
  'script',
  'style',
  'textarea',
];

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Plain-text excerpt of Markdown for cards, feeds and meta descriptions, taken from its
 * paragraphs (not headings, lists or code). Not HTML: callers escape it.
 */
export function excerpt(markdown: string, maxLength = 200): string {
  const html = marked.parse(markdown, { async: false });
  const paragraphs = sanitizeHtml(html, {
    allowedTags: ['p'],
    allowedAttributes: {},
    nonTextTags: NOT_PROSE,
  });
  const prose = decodeEntities(paragraphs.replace(/<\/?p>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
  // A body with no paragraph at all (only a list, say) still gets a summary.
  const text =
    prose ||
    decodeEntities(sanitizeHtml(html, { allowedTags: [], allowedAttributes: {} }))
      .replace(/\s+/g, ' ')
      .trim();
  return shorten(text, maxLength);
}
