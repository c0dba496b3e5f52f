import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { EXCERPT_MAX, shorten } from '../../../src/site/lib/markdown.js';
import { excerpt, renderMarkdown } from '../../../src/site/lib/markdown-render.js';

const DANGER = [/<script/i, /javascript:/i, / on\w+=/i];

function assertInert(html: string): void {
  for (const pattern of DANGER) assert.doesNotMatch(html, pattern, `output contains ${pattern}: ${html}`);
}

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '<a href="jav&#x09;ascript:alert(1)">x</a>',
  '<svg onload=alert(1)>',
  '<iframe src="https://evil.example"></iframe>',
  '<style>body{display:none}</style>',
  '<div style="background:url(javascript:alert(1))">x</div>',
  '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
  '<b onclick="steal()">b</b>',
  '<<script>script>alert(1)<</script>/script>',
  '![x](javascript:alert(1))',
  '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
];

describe('renderMarkdown', () => {
  it('renders ordinary Markdown', () => {
    const html = renderMarkdown('# Title\n\nSome **bold** and `code`.\n\n- one\n- two');
    assert.match(html, /<h1>Title<\/h1>/);
    assert.match(html, /<strong>bold<\/strong>/);
    assert.match(html, /<code>code<\/code>/);
    assert.match(html, /<li>two<\/li>/);
  });

  for (const payload of PAYLOADS) {
    it(`neutralizes ${payload}`, () => assertInert(renderMarkdown(payload)));
  }

  it('drops script, style and iframe elements with their content', () => {
    const html = renderMarkdown(
      'a <script>alert(1)</script> <style>p{}</style> <iframe src="https://x"></iframe> b',
    );
    assert.doesNotMatch(html, /alert|<style|<iframe|p\{\}/);
  });

  it('keeps http(s) and mailto links, with rel="nofollow noopener"', () => {
    const html = renderMarkdown('[a](https://example.com/x) [m](mailto:hi@foobar.com)');
    assert.match(html, /<a href="https:\/\/example.com\/x" rel="nofollow noopener">a<\/a>/);
    assert.match(html, /href="mailto:hi@foobar.com"/);
  });

  it('removes other link schemes and protocol-relative links', () => {
    const html = renderMarkdown('[f](ftp://x/y) [p](//evil.example/) [d](data:text/html,hi)');
    assert.doesNotMatch(html, /href=/);
  });

  it('overrides a rel given in the source', () => {
    const html = renderMarkdown('<a href="https://x.example" rel="opener">x</a>');
    assert.match(html, /rel="nofollow noopener"/);
    assert.doesNotMatch(html, /rel="opener"/);
  });

  it('keeps images from http(s) and /uploads/ and drops the others', () => {
    assert.match(renderMarkdown('![a](/uploads/0a1b.png)'), /<img alt="a" src="\/uploads\/0a1b.png"/);
    assert.match(renderMarkdown('![a](https://cdn.example/a.png)'), /src="https:\/\/cdn.example\/a.png"/);
    for (const src of ['/etc/passwd', '/uploads/../secret', 'data:image/png;base64,AAAA', 'x.png']) {
      assert.doesNotMatch(renderMarkdown(`![a](${src})`), /<img/, src);
    }
  });

  it('escapes HTML in code blocks', () => {
    assert.match(renderMarkdown('```\n<script>x</script>\n```'), /&lt;script&gt;/);
  });

  it('never emits script, javascript: or event handlers, whatever the input', () => {
    const fragments = fc.constantFrom(
      '<script>',
      '</script>',
      '<img src=x ',
      'onerror=',
      ' onclick=',
      'javascript:',
      'JAVASCRIPT:',
      '<a href="',
      '">',
      '[x](',
      ')',
      '![i](',
      '<svg ',
      '<scr',
      'ipt>',
      '&#x3C;',
      '\n',
      ' ',
      '"',
      "'",
      '>',
      '<',
      '`',
      'on',
      'load=',
    );
    const input = fc.oneof(
      fc.string(),
      fc
        .array(fc.oneof(fragments, fc.string({ maxLength: 4 })), { maxLength: 40 })
        .map((parts) => parts.join('')),
    );
    fc.assert(
      fc.property(input, (markdown) => assertInert(renderMarkdown(markdown))),
      { numRuns: 500 },
    );
  });
});

describe('excerpt', () => {
  it('returns the paragraphs as plain text, without headings, lists or code', () => {
    assert.equal(
      excerpt('# Title\n\nSome *text* & <b>more</b>\n\n- a list\n\n```\ncode\n```\n\nEnd.'),
      'Some text & more End.',
    );
  });

  it('falls back to all the text when there is no paragraph', () => {
    assert.equal(excerpt('- one\n- two'), 'one two');
  });

  it('cuts long text at a word boundary with an ellipsis', () => {
    const text = excerpt('word '.repeat(100), 42);
    assert.ok(text.length <= 43);
    assert.ok(text.endsWith('word…'));
  });
});

describe('shorten', () => {
  it('shortening the stored excerpt equals an excerpt of the Markdown at that length', () => {
    const markdown = Array.from({ length: 40 }, (_, i) => `word${i} alpha, beta.`).join(' ');
    const stored = excerpt(markdown, EXCERPT_MAX);
    for (const length of [160, 220, 300]) assert.equal(shorten(stored, length), excerpt(markdown, length));
  });
});
