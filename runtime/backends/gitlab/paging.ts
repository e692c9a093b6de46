/**
 * GitLab's offset pagination: `page` / `per_page` (at most 100) in; `x-page`, `x-next-page`,
 * `x-total` and `x-total-pages` out (GitLab omits the totals above 10,000 rows).
 */
import { paging } from '../../kit';

const header = (name: string) => (res: { headers: Headers }) => paging.intOf(res.headers.get(name));

export const pages = paging.pageNumber({
  defaultSize: 20,
  maxSize: 100,
  next: header('x-next-page'),
  current: header('x-page'),
  totals: (res) => ({ total: header('x-total')(res), totalPages: header('x-total-pages')(res) }),
});
