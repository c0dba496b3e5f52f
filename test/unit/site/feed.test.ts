import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ArticleWithAuthor } from '../../../src/site/modules/articles/articles.service.js';
import {
  escapeXml,
  renderAtomFeed,
  renderRobots,
  renderSitemap,
} from '../../../src/site/modules/home/feed.js';

const at = new Date('2026-01-02T03:04:05.000Z');
const article: ArticleWithAuthor = {
  id: 1,
  slug: 'a-b',
  title: 'A & <B>',
  body_md: 'Hello **world**',
  body_html: '<p>Hello <strong>world</strong></p>',
  excerpt: null,
  author_id: 2,
  author_name: 'Ann "The" Author',
  status: 'published',
  created_at: at,
  updated_at: at,
  published_at: at,
};

describe('feed', () => {
  it('escapes the five XML specials and drops forbidden control characters', () => {
    assert.equal(
      escapeXml(`<a href="x">'&'</a>\u0000\u0007\t`),
      '&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;\t',
    );
  });

  it('renders an Atom entry per article with absolute links and escaped HTML content', () => {
    const xml = renderAtomFeed('https://www.foobar.com', [article]);
    assert.match(
      xml,
      /^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom">/,
    );
    assert.match(xml, /<id>https:\/\/www.foobar.com\/articles\/a-b<\/id>/);
    assert.match(xml, /<title type="text">A &amp; &lt;B&gt;<\/title>/);
    assert.match(
      xml,
      /<content type="html">&lt;p&gt;Hello &lt;strong&gt;world&lt;\/strong&gt;&lt;\/p&gt;<\/content>/,
    );
    assert.match(xml, /<name>Ann &quot;The&quot; Author<\/name>/);
    assert.match(xml, /<updated>2026-01-02T03:04:05.000Z<\/updated>/);
  });

  it('renders a valid empty feed', () => {
    const xml = renderAtomFeed('https://www.foobar.com', [], at);
    assert.match(xml, /<updated>2026-01-02T03:04:05.000Z<\/updated>\n<\/feed>/);
  });

  it('renders a sitemap and robots.txt pointing at it', () => {
    const xml = renderSitemap('https://www.foobar.com', [
      { path: '/' },
      { path: '/articles/a-b', lastmod: at },
    ]);
    assert.match(xml, /<url><loc>https:\/\/www.foobar.com\/<\/loc><\/url>/);
    assert.match(
      xml,
      /<loc>https:\/\/www.foobar.com\/articles\/a-b<\/loc><lastmod>2026-01-02T03:04:05.000Z<\/lastmod>/,
    );
    assert.match(renderRobots('https://www.foobar.com'), /^Sitemap: https:\/\/www.foobar.com\/sitemap.xml$/m);
  });
});
