import { CSRF_FIELD } from '../csrf';
import type { BuildingItem } from '../roster-queries';
import { html, type SafeHtml } from './html';

/** What the Buildings page shows. */
export interface BuildingsView {
  buildings: BuildingItem[];
  /** Students and staff per building id. */
  people: Map<number, number>;
  /** OneRoster manages the roster: adding and removing are locked. */
  locked: boolean;
  /** The user holds Manage Settings, so may set Building SIS IDs (of buildings added by hand). */
  canEditSis: boolean;
  csrfToken: string;
}

/**
 * The Building SIS field: the key the sync matches a school on. Read-only for a building the sync
 * created (changing it would make the next sync create a copy) and for users without Manage Settings.
 */
function sisCell(building: BuildingItem, canEditSis: boolean, token: SafeHtml): SafeHtml {
  if (building.source === 'oneroster' || !canEditSis) {
    return html`<span title="${building.source === 'oneroster' ? 'Set by OneRoster' : 'Needs Manage Settings'}">${building.sisId ?? html`<span class="muted">not set</span>`}</span>`;
  }
  return html`<form method="post" action="/buildings/${building.id}/sis" class="inline">
      ${token}
      <input name="sisId" value="${building.sisId ?? ''}" aria-label="Building SIS ID of ${building.name}" maxlength="255" placeholder="not set">
      <button type="submit">Save</button>
    </form>`;
}

/** The Buildings page: the list with the SIS field editable, add and remove (locked while OneRoster is on). */
export function renderBuildings(view: BuildingsView): SafeHtml {
  const token = html`<input type="hidden" name="${CSRF_FIELD}" value="${view.csrfToken}">`;
  const rows = view.buildings.map((building) => {
    const people = view.people.get(building.id) ?? 0;
    const removeTitle = view.locked
      ? 'OneRoster manages buildings'
      : people > 0
        ? 'People belong to this building'
        : `Remove ${building.name}`;
    return html`<tr>
  <td>${building.name}</td>
  <td>${sisCell(building, view.canEditSis, token)}</td>
  <td>${building.identifier ?? ''}</td>
  <td><span class="badge${building.source === 'oneroster' ? ' badge-on' : ''}">${building.source === 'oneroster' ? 'OneRoster' : 'Manual'}</span></td>
  <td>${building.active ? 'Active' : html`<span class="muted">Inactive</span>`}</td>
  <td class="num">${people}</td>
  <td>
    <form method="post" action="/buildings/${building.id}/delete" class="inline">
      ${token}
      <button type="submit" class="danger" title="${removeTitle}"${view.locked || people > 0 ? html` disabled` : ''}>Remove</button>
    </form>
  </td>
</tr>`;
  });
  return html`${view.locked ? lockedNote() : ''}
<section class="card">
  <h2>Add a building</h2>
  <form method="post" action="/buildings" class="row">
    ${token}
    <fieldset${view.locked ? html` disabled` : ''}>
      <label>Name <input name="name" required maxlength="255"></label>
      ${view.canEditSis ? html`<label>Building SIS ID <input name="sisId" maxlength="255" placeholder="optional"></label>` : ''}
      <label>Identifier <input name="identifier" maxlength="255" placeholder="optional"></label>
      <button type="submit" class="primary">Add building</button>
    </fieldset>
  </form>
</section>
<section class="card">
  <h2>${view.buildings.length} building${view.buildings.length === 1 ? '' : 's'}</h2>
  <p class="muted">The <strong>Building SIS ID</strong> is the OneRoster school's sourcedId. Setting it ties a building you added by hand to its school, so a sync updates it instead of adding a copy.</p>
  ${
    view.buildings.length === 0
      ? html`<p class="empty">No buildings yet. Add one above, or sync them from OneRoster in Settings.</p>`
      : html`<table>
  <thead><tr><th scope="col">Name</th><th scope="col">Building SIS ID</th><th scope="col">Identifier</th><th scope="col">Source</th><th scope="col">Status</th><th scope="col" class="num">People</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
  <tbody>${rows}</tbody>
</table>`
  }
</section>`;
}

/** Why adding, removing and importing are unavailable. */
export function lockedNote(): SafeHtml {
  return html`<p class="flash flash-info" role="note"><strong>OneRoster manages the roster.</strong> Buildings, students and staff come from the syncs in <a href="/settings">Settings</a>, so adding or removing buildings and CSV imports are turned off. You can still set a building's SIS ID. Turn OneRoster off in Settings to manage the roster by hand again.</p>`;
}
