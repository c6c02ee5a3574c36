/**
 * OneRoster query parameters: `filter` (at most two predicates joined by AND or OR), `sort` with
 * `orderBy`, `fields`, and `limit`/`offset`. Filters are evaluated on the record as served, so
 * they see exactly what the client sees.
 */

/** Comparison operators the standard allows. */
export type FilterOperator = '=' | '!=' | '>' | '>=' | '<' | '<=' | '~';

/** One `field op 'value'`. */
export interface FilterPredicate {
  field: string;
  operator: FilterOperator;
  value: string;
}

/** A parsed filter. */
export interface Filter {
  predicates: FilterPredicate[];
  join: 'AND' | 'OR';
}

/** A query the client got wrong: answered 400 with a OneRoster error body. */
export class QueryError extends Error {
  constructor(readonly codeMinor: 'invalid_filter_field' | 'invaliddata', message: string) {
    super(message);
  }
}

/** Paging and query parameters of one list request. */
export interface ListQuery {
  limit: number;
  offset: number;
  filter?: Filter;
  /** Raw filter text, for cache keys. */
  filterText: string;
  sort?: string;
  descending: boolean;
  fields?: string[];
}

const PREDICATE = /^\s*([A-Za-z][\w.:]*)\s*(!=|>=|<=|=|>|<|~)\s*(?:'([^']*)'|"([^"]*)")\s*$/;

/** Reads the query string of a list request; `isKnownField` decides which filter fields exist. */
export function parseListQuery(params: URLSearchParams, maxPageSize: number, isKnownField: (field: string) => boolean): ListQuery {
  const limit = parseWhole(params.get('limit'), 100, 1, 'limit');
  const offset = parseWhole(params.get('offset'), 0, 0, 'offset');
  const filterText = params.get('filter') ?? '';
  const fields = params.get('fields')?.split(',').map((field) => field.trim()).filter(Boolean);
  return {
    limit: Math.min(limit, maxPageSize),
    offset,
    filterText,
    filter: filterText.trim() ? parseFilter(filterText, isKnownField) : undefined,
    sort: params.get('sort')?.trim() || undefined,
    descending: params.get('orderBy')?.toLowerCase() === 'desc',
    fields: fields && fields.length > 0 ? fields : undefined,
  };
}

function parseWhole(text: string | null, fallback: number, min: number, name: string): number {
  if (text === null || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) throw new QueryError('invaliddata', `${name} must be an integer >= ${min}`);
  return value;
}

/** Parses `field op 'value'` with at most one ` AND ` or ` OR `. */
export function parseFilter(text: string, isKnownField: (field: string) => boolean): Filter {
  const parts = splitOutsideQuotes(text);
  if (parts.length > 3) throw new QueryError('invaliddata', 'filter: at most two predicates are allowed');
  const join = parts.length === 3 ? (parts[1] as 'AND' | 'OR') : 'AND';
  const predicates = [parts[0], parts[2]].filter((part): part is string => part !== undefined).map((part) => {
    const match = PREDICATE.exec(part);
    if (!match) throw new QueryError('invaliddata', `filter: cannot read "${part.trim()}"`);
    const predicate: FilterPredicate = { field: match[1], operator: match[2] as FilterOperator, value: match[3] ?? match[4] };
    if (!isKnownField(predicate.field)) throw new QueryError('invalid_filter_field', `filter: unknown field ${predicate.field}`);
    if (isDateField(predicate.field) && predicate.operator !== '~' && Number.isNaN(Date.parse(predicate.value))) {
      throw new QueryError('invaliddata', `filter: ${predicate.value} is not a date`);
    }
    return predicate;
  });
  return { predicates, join };
}

/** Splits on " AND " / " OR " outside quotes: [predicate, join, predicate, ...]. */
function splitOutsideQuotes(text: string): string[] {
  const parts: string[] = [];
  let quote = '';
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === quote) quote = '';
      continue;
    }
    if (char === "'" || char === '"') { quote = char; continue; }
    for (const join of ['AND', 'OR']) {
      if (text.startsWith(` ${join} `, i)) {
        parts.push(text.slice(start, i), join);
        start = i + join.length + 2;
        i = start - 1;
        break;
      }
    }
  }
  parts.push(text.slice(start));
  return parts;
}

function isDateField(field: string): boolean {
  const last = field.split('.').pop() ?? '';
  return last === 'dateLastModified' || last.endsWith('Date');
}

/** Values at a dotted path of a record, flattening arrays (`roles.org.sourcedId`). */
export function valuesAt(record: unknown, path: string): string[] {
  let current: unknown[] = [record];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      const child = (value as Record<string, unknown>)[key];
      if (Array.isArray(child)) next.push(...child);
      else if (child !== undefined && child !== null) next.push(child);
    }
    current = next;
  }
  return current.filter((value) => typeof value !== 'object').map(String);
}

function compare(actual: string, predicate: FilterPredicate, asDate: boolean): boolean {
  if (predicate.operator === '~') return actual.toLowerCase().includes(predicate.value.toLowerCase());
  const left: number | string = asDate ? Date.parse(actual) : actual;
  const right: number | string = asDate ? Date.parse(predicate.value) : predicate.value;
  switch (predicate.operator) {
    case '=': return left === right;
    case '!=': return left !== right;
    case '>': return left > right;
    case '>=': return left >= right;
    case '<': return left < right;
    case '<=': return left <= right;
  }
}

function predicateMatches(record: unknown, predicate: FilterPredicate, aliases: Record<string, string>): boolean {
  const values = valuesAt(record, aliases[predicate.field] ?? predicate.field);
  const asDate = isDateField(predicate.field);
  // On a list of values, != means "none equal"; the other operators mean "some value matches".
  if (predicate.operator === '!=') return values.every((value) => compare(value, predicate, asDate));
  return values.some((value) => compare(value, predicate, asDate));
}

/** Does a served record pass the filter? `aliases` maps 1.1 field names onto 1.2 paths. */
export function matchesFilter(record: unknown, filter: Filter, aliases: Record<string, string> = {}): boolean {
  const results = filter.predicates.map((predicate) => predicateMatches(record, predicate, aliases));
  return filter.join === 'AND' ? results.every(Boolean) : results.some(Boolean);
}

/**
 * True when no record dated `baseDate` can pass: then only changed records need checking. This
 * is what makes the nightly `dateLastModified>'...'` delta cheap on a million people.
 */
export function excludesDate(filter: Filter, baseDate: string): boolean {
  const excluded = filter.predicates.map(
    (predicate) => predicate.field === 'dateLastModified' && predicate.operator !== '~' && !compare(baseDate, predicate, true),
  );
  return filter.join === 'AND' ? excluded.some(Boolean) : excluded.every(Boolean);
}

/** Sort key of a record: the first value at the sort path ('' when missing). */
export function sortKey(record: unknown, field: string, aliases: Record<string, string> = {}): string {
  return valuesAt(record, aliases[field] ?? field)[0] ?? '';
}

/** Keeps only the requested top-level fields (unknown names are ignored, as the standard allows). */
export function selectFields(record: Record<string, unknown>, fields: string[] | undefined): Record<string, unknown> {
  if (!fields) return record;
  const selected: Record<string, unknown> = {};
  for (const field of fields) if (field in record) selected[field] = record[field];
  return selected;
}
