import { CSRF_FIELD } from '../csrf';
import { IMPORT_COLUMNS, type ImportResult } from '../csv-import';
import type { PersonKind } from '../roster-queries';
import { lockedNote } from './buildings';
import { html, type SafeHtml } from './html';

/** What the CSV import page shows. */
export interface ImportView {
  locked: boolean;
  csrfToken: string;
  kind: PersonKind;
  /** The text last submitted, kept so a person can fix it. */
  csv: string;
  /** The outcome of the last import, when the page answers one. */
  result?: ImportResult;
}

/** The CSV import page: pick students or staff, upload or paste, see what happened line by line. */
export function renderImport(view: ImportView): SafeHtml {
  return html`${view.locked ? lockedNote() : ''}
${view.result ? renderResult(view.result) : ''}
<section class="card">
  <form method="post" action="/import" class="stack">
    <input type="hidden" name="${CSRF_FIELD}" value="${view.csrfToken}">
    <fieldset${view.locked ? html` disabled` : ''}>
      <legend>Import</legend>
      <div class="choices">
        ${(['students', 'staff'] as const).map(
          (kind) =>
            html`<label class="choice"><input type="radio" name="kind" value="${kind}"${view.kind === kind ? html` checked` : ''}> ${kind === 'students' ? 'Students' : 'Staff'}</label>`,
        )}
      </div>
      <label>CSV file <input type="file" accept=".csv,text/csv" data-fills="csv"></label>
      <label>or paste CSV <textarea name="csv" id="csv" rows="10" spellcheck="false">${view.csv}</textarea></label>
      <button type="submit" class="primary">Import</button>
    </fieldset>
  </form>
</section>
<section class="card">
  <h2>The file</h2>
  <p>A header row, then one person per line. People are matched on their number: an existing number is updated, a new one is added. A bad line is listed and skipped; the rest are imported.</p>
  <p>Students: <code>${IMPORT_COLUMNS.students.join(',')}</code></p>
  <p>Staff: <code>${IMPORT_COLUMNS.staff.join(',')}</code></p>
  <p class="muted">The first three columns are required. <code>building_sis_id</code> takes a building's SIS ID or its name.</p>
</section>`;
}

function renderResult(result: ImportResult): SafeHtml {
  return html`<section class="card result" role="status">
  <h2>Import finished</h2>
  <p><strong>${result.created}</strong> added, <strong>${result.updated}</strong> updated, <strong>${result.errors.length}</strong> line${result.errors.length === 1 ? '' : 's'} skipped.</p>
  ${
    result.errors.length > 0
      ? html`<table>
  <thead><tr><th scope="col" class="num">Line</th><th scope="col">Problem</th></tr></thead>
  <tbody>${result.errors.slice(0, 200).map((error) => html`<tr><td class="num">${error.line}</td><td>${error.message}</td></tr>`)}</tbody>
</table>${result.errors.length > 200 ? html`<p class="muted">…and ${result.errors.length - 200} more.</p>` : ''}`
      : ''
  }
</section>`;
}
