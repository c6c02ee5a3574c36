import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { BuildingMatchingView } from '../server/domain/contract';
import type { ApiClient } from './api-client';
import { defineOnce } from './define';
import { describeError } from './messages';
import { PanelElement } from './panel-element';

const REASONS: Record<string, string> = { sis_id: 'already linked', identifier: 'same school number', name: 'same name' };

/**
 * Building matching before the first sync: the provider's schools beside the buildings that
 * exist already, with proposed matches the admin confirms or changes. Saving writes each
 * building's Building SIS value, so the first building sync updates them instead of adding duplicates.
 */
export class OneRosterBuildingMatching extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  @state() private view: BuildingMatchingView | null = null;
  /** The admin's choice per building id ('' = no school). */
  @state() private choices: Record<number, string> = {};
  @state() private errorText = '';
  @state() private doneText = '';
  @state() private saving = false;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client && !this.view) void this.load();
  }

  private async load(): Promise<void> {
    try {
      this.take(await this.client.getBuildingMatching());
    } catch (err) {
      this.errorText = describeError(err);
    }
  }

  private take(view: BuildingMatchingView): void {
    this.view = view;
    this.choices = Object.fromEntries(view.buildings.map((b) => [b.id, b.proposed ?? '']));
  }

  private async save(): Promise<void> {
    if (!this.view) return;
    this.saving = true;
    this.errorText = '';
    this.doneText = '';
    try {
      const matches = this.view.buildings.map((b) => ({ buildingId: b.id, sourcedId: this.choices[b.id] || null }));
      this.take(await this.client.saveBuildingMatching({ matches }));
      const linked = this.view.buildings.filter((b) => b.sisId).length;
      this.doneText = `Saved. ${linked} ${linked === 1 ? 'building is' : 'buildings are'} matched to schools; Sync Buildings now updates them instead of adding new ones.`;
    } catch (err) {
      this.errorText = describeError(err);
    } finally {
      this.saving = false;
    }
    await this.updateComplete;
    this.querySelector<HTMLElement>(this.errorText ? '#or-match-error' : '#or-match-done')?.focus();
  }

  override render() {
    const view = this.view;
    return html`<section class="section" part="section" aria-labelledby="or-match-heading">
      <div class="section-head"><h2 id="or-match-heading">Match existing buildings</h2></div>
      <p class="hint">Before the first sync, tell OneRoster which of your buildings each school is. Matched buildings keep their devices
        and are updated by the sync; schools left unmatched become new buildings.</p>
      ${this.errorText ? html`<div id="or-match-error" class="alert" role="alert" tabindex="-1">${this.errorText}</div>` : nothing}
      ${!view && !this.errorText ? html`<div class="state" role="status">Reading the provider’s schools…</div>` : nothing}
      ${view && view.buildings.length === 0 ? html`<p>There are no buildings yet: the first sync creates one per school.</p>` : nothing}
      ${view && view.buildings.length
        ? html`<div class="table-wrap"><table>
            <caption>Your buildings and the provider’s ${view.schools.length} schools</caption>
            <thead><tr><th scope="col">Building</th><th scope="col">School number</th><th scope="col">Provider school</th><th scope="col">Why</th></tr></thead>
            <tbody>${view.buildings.map((b) => html`<tr>
              <th scope="row">${b.name}</th><td>${b.identifier ?? '—'}</td>
              <td><select aria-label="School for ${b.name}" .value=${this.choices[b.id] ?? ''} ?disabled=${this.saving}
                @change=${(e: Event) => (this.choices = { ...this.choices, [b.id]: (e.target as HTMLSelectElement).value })}>
                <option value="" ?selected=${!this.choices[b.id]}>No school (leave as it is)</option>
                ${view.schools.map((s) => html`<option value=${s.sourcedId} ?selected=${this.choices[b.id] === s.sourcedId}>
                  ${s.name}${s.identifier ? ` (${s.identifier})` : ''}</option>`)}
              </select></td>
              <td class="muted">${this.choices[b.id] && this.choices[b.id] === b.proposed && b.reason ? REASONS[b.reason] : this.choices[b.id] ? 'your choice' : '—'}</td>
            </tr>`)}</tbody>
          </table></div>
          <div class="actions"><button type="button" class="button primary" part="button button-primary" ?disabled=${this.saving}
            @click=${() => this.save()}>${this.saving ? 'Saving…' : 'Save matches'}</button></div>`
        : nothing}
      <div role="status" aria-live="polite">${this.doneText ? html`<p id="or-match-done" class="success" tabindex="-1">${this.doneText}</p>` : nothing}</div>
    </section>`;
  }
}

defineOnce('oneroster-building-matching', OneRosterBuildingMatching);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-building-matching': OneRosterBuildingMatching;
  }
}
