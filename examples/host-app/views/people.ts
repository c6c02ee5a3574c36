import type { BuildingItem, ListPage, PersonItem, PersonKind } from '../roster-queries';
import { html, type SafeHtml } from './html';

/** What the Students or Staff page shows. */
export interface PeopleView {
  kind: PersonKind;
  page: ListPage<PersonItem>;
  /** Building names by id. */
  buildings: Map<number, BuildingItem>;
  q: string;
  offset: number;
  limit: number;
}

/** A searchable, paged list of students or staff. */
export function renderPeople(view: PeopleView): SafeHtml {
  const students = view.kind === 'students';
  const path = `/${view.kind}`;
  const link = (offset: number) => {
    const params = new URLSearchParams();
    if (view.q) params.set('q', view.q);
    if (offset > 0) params.set('offset', String(offset));
    const query = params.toString();
    return query ? `${path}?${query}` : path;
  };
  const first = view.page.total === 0 ? 0 : view.offset + 1;
  const last = Math.min(view.offset + view.page.items.length, view.page.total);
  const rows = view.page.items.map((person) => {
    const building = person.buildingId === null ? undefined : view.buildings.get(person.buildingId);
    return html`<tr${person.active ? '' : html` class="inactive"`}>
  <td>${person.lastName}, ${person.firstName}</td>
  <td>${person.number ?? ''}</td>
  <td>${person.email ?? ''}</td>
  <td>${(students ? person.grade : person.role) ?? ''}</td>
  <td>${building ? building.name : html`<span class="muted">none</span>`}</td>
  <td>${person.active ? 'Active' : html`<span class="muted">Inactive</span>`}${person.enabled ? '' : html` <span class="badge badge-warn">disabled</span>`}</td>
  <td>${person.sourcedId ? html`<span class="badge badge-on">OneRoster</span>` : html`<span class="badge">Manual</span>`}</td>
</tr>`;
  });
  return html`<form method="get" action="${path}" class="search" role="search">
  <label>Search <input type="search" name="q" value="${view.q}" maxlength="200" placeholder="name, number or email"></label>
  <button type="submit">Search</button>
  ${view.q ? html`<a href="${path}">Clear</a>` : ''}
</form>
<section class="card">
  <p class="muted">${view.page.total === 0 ? 'No one found.' : `Showing ${first}–${last} of ${view.page.total.toLocaleString('en-US')}`}${view.q ? ` matching “${view.q}”` : ''}.</p>
  ${
    view.page.items.length === 0
      ? html`<p class="empty">${view.q ? 'Try another search.' : html`No ${view.kind} yet. Import a CSV in <a href="/import">CSV import</a>, or sync from OneRoster in <a href="/settings">Settings</a>.`}</p>`
      : html`<table>
  <thead><tr><th scope="col">Name</th><th scope="col">${students ? 'Student number' : 'Staff number'}</th><th scope="col">Email</th><th scope="col">${students ? 'Grade' : 'Role'}</th><th scope="col">Building</th><th scope="col">Status</th><th scope="col">Source</th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
  }
  <nav class="pager" aria-label="Pages">
    ${view.offset > 0 ? html`<a href="${link(Math.max(0, view.offset - view.limit))}">← Previous</a>` : html`<span></span>`}
    ${last < view.page.total ? html`<a href="${link(view.offset + view.limit)}">Next →</a>` : ''}
  </nav>
</section>`;
}
