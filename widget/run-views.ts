import { html, nothing, type TemplateResult } from 'lit';
import type { KindCounts, RecordKind, RunStatus, RunView } from '../server/domain/contract';
import { COUNT_COLUMNS, formatNumber, presentKinds, RECORD_KIND_LABELS, totalCounts } from './format';
import { STATUS_LABELS } from './messages';

/** Template pieces that the sync panel, the history and the run detail all show the same way. */

/** A coloured status badge with the status in words. */
export function statusBadge(status: RunStatus): TemplateResult {
  return html`<span class="badge ${status}">${STATUS_LABELS[status] ?? status}</span>`;
}

/** The headline numbers of a run: created, updated, linked, deactivated, skipped. */
export function summaryTiles(kinds: Partial<Record<RecordKind, KindCounts>>): TemplateResult {
  const total = totalCounts(kinds);
  const tiles = (['created', 'updated', 'linked', 'reactivated', 'deactivated', 'skipped'] as const).filter(
    (key) => key !== 'reactivated' || total.reactivated > 0,
  );
  return html`<ul class="summary-grid" aria-label="Totals">
    ${tiles.map((key) => html`<li><strong>${formatNumber(total[key])}</strong>${COUNT_COLUMNS.find((c) => c.key === key)?.label}</li>`)}
  </ul>`;
}

/** Counts per record kind as a table. */
export function countsTable(kinds: Partial<Record<RecordKind, KindCounts>>, caption: string): TemplateResult | typeof nothing {
  const present = presentKinds(kinds);
  if (!present.length) return nothing;
  // Ten count columns can overflow a narrow panel: the scrolling wrapper must be reachable by keyboard.
  return html`<div class="table-wrap" tabindex="0" role="region" aria-label=${caption}><table>
    <caption>${caption}</caption>
    <thead><tr><th scope="col">Kind</th>${COUNT_COLUMNS.map((c) => html`<th scope="col" class="num">${c.label}</th>`)}</tr></thead>
    <tbody>
      ${present.map(
        (kind) => html`<tr>
          <th scope="row">${RECORD_KIND_LABELS[kind]}</th>
          ${COUNT_COLUMNS.map((c) => html`<td class="num">${formatNumber(Number(kinds[kind]?.[c.key]) || 0)}</td>`)}
        </tr>`,
      )}
    </tbody>
  </table></div>`;
}

/** What a run left out and why: people of schools not in Manage1to1, ignored roles, unmatched buildings. */
export function leftOut(run: Pick<RunView, 'counts'>): TemplateResult | typeof nothing {
  const bySchool = Object.entries(run.counts?.skippedBySchool ?? {});
  // Runs since issue 15 name each org with the hint that fits; older runs only have the ids.
  const orgs = run.counts?.skippedOrgs ?? [];
  const roles = Object.entries(run.counts?.ignoredRoles ?? {});
  const unmatched = run.counts?.unmatchedBuildings ?? [];
  if (!bySchool.length && !roles.length && !unmatched.length) return nothing;
  return html`
    ${orgs.length
      ? html`<h4>Skipped: no building for their school or org</h4>
          <ul class="plain">${orgs.map((org) => html`<li><strong>${org.name ?? org.sourcedId}</strong>
            ${org.type || org.status ? html`(${[org.type, org.status].filter(Boolean).join(', ')})` : nothing}:
            ${formatNumber(org.people)} ${org.people === 1 ? 'person' : 'people'}. <span class="hint">${org.hint}</span></li>`)}</ul>`
      : bySchool.length
      ? html`<h4>Skipped: school not in Manage1to1</h4>
          <p class="hint">These people were not imported because their school is not a building here. Sync buildings, then sync users again.</p>
          <ul class="plain">${bySchool.map(([school, count]) => html`<li>School <code>${school}</code>: ${formatNumber(count)} ${count === 1 ? 'person' : 'people'}</li>`)}</ul>`
      : nothing}
    ${roles.length
      ? html`<h4>Not imported because of their role</h4>
          <ul class="plain">${roles.map(([role, count]) => html`<li>${role}: ${formatNumber(count)}</li>`)}</ul>`
      : nothing}
    ${unmatched.length
      ? html`<h4>Buildings that match no school</h4>
          <p class="hint">Left as they are. Set their Building SIS field to a school's ID to link them.</p>
          <ul class="plain">${unmatched.map((b) => html`<li>${b.name}</li>`)}</ul>`
      : nothing}
  `;
}

/** Bucket labels of the reconciliation, in the order they are listed. */
const RECONCILED_BUCKETS = [
  ['created', 'created'], ['updated', 'updated'], ['unchanged', 'unchanged'], ['linked', 'linked by number'],
  ['rekeyed', 're-keyed'], ['merged', 'merged into the same person'], ['reactivated', 'reactivated'],
  ['tobedeleted', 'marked tobedeleted'], ['ignoredRoles', 'parents, guardians and relatives'], ['notSynced', 'of a kind this run does not sync'],
] as const;

/** Where every pulled record went: the buckets add up to what the provider sent. */
export function reconciliationList(run: Pick<RunView, 'counts'>): TemplateResult | typeof nothing {
  const r = run.counts?.reconciliation;
  if (!r) return nothing;
  const skipped = Object.entries(r.skipped ?? {}).filter(([, n]) => n > 0);
  return html`<h4>Every record pulled: ${formatNumber(r.pulled)}</h4>
    <ul class="plain reconciliation">
      ${RECONCILED_BUCKETS.filter(([key]) => r[key] > 0).map(([key, label]) => html`<li>${formatNumber(r[key])} ${label}</li>`)}
      ${skipped.map(([reason, n]) => html`<li>${formatNumber(n)} skipped: <code>${reason}</code></li>`)}
    </ul>`;
}

/** The per-record problems of a run: how many of each kind, then the samples the server kept. */
export function issuesList(run: Pick<RunView, 'issues' | 'issueCount'> & Partial<Pick<RunView, 'counts'>>): TemplateResult {
  const issues = run.issues ?? [];
  if (!issues.length) return html`<p class="muted">No problems with single records.</p>`;
  const more = Math.max(0, (run.issueCount ?? issues.length) - issues.length);
  const byCode = Object.entries(run.counts?.issuesByCode ?? {}).sort((a, b) => b[1] - a[1]);
  return html`${byCode.length
      ? html`<ul class="plain issue-codes" aria-label="Problems by kind">${byCode.map(([code, n]) => html`<li><code>${code}</code>: ${formatNumber(n)}</li>`)}</ul>`
      : nothing}
    <div class="table-wrap"><table>
      <caption>Problems with single records (${formatNumber(run.issueCount ?? issues.length)})</caption>
      <thead><tr><th scope="col">Name</th><th scope="col">Number</th><th scope="col">School</th><th scope="col">Record</th><th scope="col">Problem</th></tr></thead>
      <tbody>${issues.map(
        (issue) => html`<tr><td>${issue.name ?? '—'}</td><td>${issue.number ?? '—'}</td><td>${issue.school ?? '—'}</td>
          <td><code>${issue.sourcedId ?? '—'}</code></td><td>${issue.message}</td></tr>`,
      )}</tbody>
    </table></div>
    ${more ? html`<p class="hint">…and ${formatNumber(more)} more not listed here (a few samples of each kind are kept).</p>` : nothing}`;
}
