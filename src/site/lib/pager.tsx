/** "Newer / Page N of M / Older" links for HTML lists. Links only: no script needed. */
export function Pager({
  base,
  page,
  pageCount,
}: {
  base: string;
  page: number;
  pageCount: number;
}): JSX.Element {
  if (pageCount <= 1) return '';
  const href = (n: number) => (n === 1 ? base : `${base}?page=${n}`);
  return (
    <nav class="pagination" aria-label="Pagination">
      {page > 1 ? (
        <a class="button button-secondary" href={href(page - 1)} rel="prev">
          ← Previous
        </a>
      ) : (
        <span />
      )}
      <span class="muted">
        Page {String(page)} of {String(pageCount)}
      </span>
      {page < pageCount ? (
        <a class="button button-secondary" href={href(page + 1)} rel="next">
          Next →
        </a>
      ) : (
        <span />
      )}
    </nav>
  );
}
