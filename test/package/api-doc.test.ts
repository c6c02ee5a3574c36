import { readFileSync } from 'node:fs';
import path from 'node:path';
import { routeTable } from '../../server/http/routes';

/** The document whose "HTTP API" section must list every route. */
const DOC_PATH = 'README.md';

/** Lines like "- `GET /runs/:id` — One run ..." or table rows "| `GET /runs/:id` | One run ... |". */
const ROUTE_LINE = /^\s*(?:[-*]|\|)\s*`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`\s*(?:—|\|)\s*(.*?)\s*\|?\s*$/;

/** The routes the document's HTTP API section lists, as "METHOD /path" with their summary. */
function documentedRoutes(markdown: string): Map<string, string> {
  const lines = markdown.split('\n');
  const start = lines.findIndex((line) => /^#{2,3} .*HTTP API/.test(line));
  if (start < 0) throw new Error(`${DOC_PATH} has no "HTTP API" heading`);
  const level = /^#+/.exec(lines[start]!)![0].length;
  const routes = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    const heading = /^(#+) /.exec(line);
    if (heading && heading[1]!.length <= level) break;
    const match = ROUTE_LINE.exec(line);
    if (match) routes.set(`${match[1]} ${match[2]}`, match[3]!);
  }
  return routes;
}

describe(`the HTTP API section of ${DOC_PATH}`, () => {
  const documented = documentedRoutes(readFileSync(path.resolve(__dirname, '../..', DOC_PATH), 'utf8'));
  const served = routeTable.map((route) => `${route.method.toUpperCase()} ${route.path}`);

  it('documents every route the router serves, and no route it does not serve', () => {
    expect([...documented.keys()].sort()).toEqual([...served].sort());
  });

  it('says what each route does', () => {
    for (const [route, summary] of documented) expect([route, summary.length > 10]).toEqual([route, true]);
  });
});
