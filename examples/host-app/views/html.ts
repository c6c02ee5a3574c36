/**
 * Escape-by-default HTML templates: every value put into `html\`...\`` is escaped unless it is
 * itself an `html` fragment. Roster names come from other systems and may hold markup, so no
 * view ever concatenates strings into HTML by hand.
 */

/** A fragment of HTML that is already safe to send. */
export class SafeHtml {
  /** The markup. */
  readonly value: string;

  constructor(value: string) {
    this.value = value;
  }

  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** Renders one interpolated value: fragments as they are, arrays joined, null/undefined/false as nothing, the rest escaped. */
function renderValue(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(renderValue).join('');
  if (value === null || value === undefined || value === false) return '';
  return escapeHtml(String(value));
}

/** The template tag: `html\`<td>${person.lastName}</td>\`` escapes the name. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  values.forEach((value, index) => {
    out += renderValue(value) + (strings[index + 1] ?? '');
  });
  return new SafeHtml(out);
}
