/**
 * NUL bytes and lone UTF-16 surrogates: no database column can hold them (SQLite refuses a NUL in
 * a statement, MySQL's utf8mb4 refuses a lone surrogate), and no real name or id needs them.
 */
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** The same, for a quick test (a global regex's `test` keeps state between calls). */
const HAS_UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A provider row with every NUL and lone surrogate dropped from its strings (keys and values, at
 * any depth), and whether any was found. Rows without any (nearly all) are returned as they are.
 */
export function dropUnstorableCharacters(row: unknown): { row: unknown; changed: boolean } {
  let changed = false;
  const clean = (value: unknown, depth: number): unknown => {
    if (typeof value === 'string') {
      if (!HAS_UNSTORABLE.test(value)) return value;
      changed = true;
      return value.replace(UNSTORABLE, '');
    }
    // Provider rows are a few levels deep; JSON.parse already bounded the rest.
    if (value === null || typeof value !== 'object' || depth > 32) return value;
    if (Array.isArray(value)) {
      let copy: unknown[] | null = null;
      value.forEach((item, i) => {
        const cleaned = clean(item, depth + 1);
        if (cleaned !== item) (copy ??= [...value])[i] = cleaned;
      });
      return copy ?? value;
    }
    const source = value as Record<string, unknown>;
    const keys = Object.keys(source);
    let copy: Record<string, unknown> | null = null;
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i]!;
      const cleanKey = clean(key, depth) as string;
      const item = clean(source[key], depth + 1);
      if (copy === null && cleanKey === key && item === source[key]) continue;
      if (copy === null) {
        copy = {};
        for (let j = 0; j < i; j += 1) define(copy, keys[j]!, source[keys[j]!]);
      }
      define(copy, cleanKey, item);
    }
    return copy ?? value;
  };
  const cleaned = clean(row, 0);
  return { row: cleaned, changed };
}

/** Sets an own property, even one named `__proto__` (plain assignment would set the prototype). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}
