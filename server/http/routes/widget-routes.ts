import { errors } from '../../domain/errors';
import type { RouteTable } from '../types';

/** The web component's script: the only route anyone may fetch. */
export const widgetRoutes = {
  'GET /widget/oneroster-settings.js': {
    summary: 'The <oneroster-settings> web component (public)',
    public: true,
    async handler({ services, headers }) {
      const script = await services.widget.script();
      if (!script) {
        throw errors.widgetNotBuilt();
      }
      const caching = { ETag: script.etag, 'Cache-Control': 'public, max-age=300, must-revalidate' };
      if (etagMatches(headers['if-none-match'], script.etag)) return { status: 304, headers: caching };
      return {
        status: 200,
        raw: { content: script.content, contentType: 'application/javascript; charset=utf-8' },
        headers: caching,
      };
    },
  },
} satisfies Partial<RouteTable>;

/** Whether an `If-None-Match` header names this ETag (weak comparison, as RFC 9110 asks for GET). */
function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifNoneMatch.split(',').some((tag) => bare(tag) === bare(etag));
}
