import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { AutomationSettings, AutomationView, ScheduledRunOutcome } from '../server/domain/contract';
import type { ApiClient } from './api-client';
import { defineOnce } from './define';
import './grade-matrix-editor';
import { timezoneChoices } from './timezones';
import { formatDateTime } from './format';
import { describeCode, describeError, fieldErrors } from './messages';
import { PanelElement } from './panel-element';

/** The grade matrix has its own editor and Save (see `grade-matrix-editor.ts`). */
type Draft = Omit<AutomationSettings, 'gradeMatrix' | 'orgBuildings'>;

/** How a daily run ended, in words. */
const SCHEDULED_OUTCOMES: Record<ScheduledRunOutcome, string> = {
  running: 'running now',
  succeeded: 'succeeded',
  failed: 'failed',
  held: 'held for approval (see History)',
  cancelled: 'cancelled',
  not_started: 'did not start',
  error: 'stopped by an unexpected error',
};

/**
 * The daily automation: which imports run, the daily time and timezone, the full-sync cadence,
 * deactivation of missing people, pause; shows when the next run happens, in the chosen timezone.
 */
export class OneRosterAutomationPanel extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  @state() private view: AutomationView | null = null;
  @state() private draft: Draft | null = null;
  @state() private loading: boolean = true;
  @state() private saving: boolean = false;
  @state() private errorText: string = '';
  @state() private errors: Record<string, string> = {};
  @state() private savedText: string = '';
  private timezones: string[] = [];

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client && !this.view) void this.load();
  }

  private async load(): Promise<void> {
    this.loading = true;
    this.errorText = '';
    try {
      this.accept(await this.client.getAutomation());
    } catch (err) {
      this.errorText = describeError(err);
    } finally {
      this.loading = false;
    }
  }

  private accept(view: AutomationView): void {
    this.view = view;
    this.draft = {
      studentImport: view.studentImport, staffImport: view.staffImport, dailyTime: view.dailyTime, timezone: view.timezone,
      fullSyncEvery: view.fullSyncEvery, paused: view.paused, deactivateMissing: view.deactivateMissing,
      districtOffices: view.districtOffices ?? true,
    };
  }

  private get dirty(): boolean {
    if (!this.view || !this.draft) return false;
    return (Object.keys(this.draft) as Array<keyof Draft>).some((key) => this.draft![key] !== this.view![key]);
  }

  private set<K extends keyof Draft>(key: K, value: Draft[K]): void {
    if (!this.draft) return;
    this.draft = { ...this.draft, [key]: value };
    this.savedText = '';
    if (this.errors[key]) {
      const { [key]: _removed, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  private async save(): Promise<void> {
    if (!this.draft || !this.view) return;
    const patch: Partial<AutomationSettings> = {};
    for (const key of Object.keys(this.draft) as Array<keyof Draft>) {
      if (this.draft[key] !== this.view[key]) (patch as Record<string, unknown>)[key] = this.draft[key];
    }
    this.saving = true;
    this.errorText = '';
    this.errors = {};
    try {
      this.accept(await this.client.saveAutomation(patch));
      this.savedText = 'Automation settings saved.';
    } catch (err) {
      this.errors = fieldErrors(err);
      this.errorText = describeError(err);
    } finally {
      this.saving = false;
    }
    await this.updateComplete;
    this.querySelector<HTMLElement>(this.errorText ? '[aria-invalid="true"], #or-automation-error' : '#or-automation-saved')?.focus();
  }

  private timezoneOptions(current: string): ReturnType<typeof timezoneChoices> {
    if (!this.timezones.length) {
      const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
      this.timezones = intl.supportedValuesOf?.('timeZone') ?? [];
    }
    return timezoneChoices(current, Intl.DateTimeFormat().resolvedOptions().timeZone, this.timezones);
  }

  override render() {
    if (this.loading && !this.view) return html`<div class="state" role="status">Loading automation settings…</div>`;
    if (!this.draft || !this.view) {
      return html`<div class="alert" role="alert">${this.errorText || 'The automation settings could not be loaded.'}</div>
        <button type="button" class="button" part="button" @click=${() => this.load()}>Try again</button>`;
    }
    const d = this.draft;
    const zones = this.timezoneOptions(d.timezone);
    return html`
      <section class="section" part="section" aria-labelledby="or-automation-heading">
        <h2 id="or-automation-heading">Daily automation</h2>
        <p class="hint">Each day at the set time, buildings are synced, then the people you choose below.</p>
        ${this.checkbox('studentImport', 'Enable Automatic Student Import', 'Create, update and deactivate students every day.')}
        ${this.checkbox('staffImport', 'Enable Automatic Staff Import', 'Create, update and deactivate staff every day.')}
        <div class="fields">
          <div class="field">
            <label for="or-dailyTime">Default Daily Automation Time</label>
            <input id="or-dailyTime" type="time" required .value=${d.dailyTime} aria-invalid=${this.errors.dailyTime ? 'true' : 'false'}
              aria-describedby=${this.errors.dailyTime ? 'or-dailyTime-error' : nothing}
              @input=${(e: Event) => this.set('dailyTime', (e.target as HTMLInputElement).value)} />
            ${this.fieldError('dailyTime')}
          </div>
          <div class="field">
            <label for="or-timezone">Timezone</label>
            <select id="or-timezone" aria-invalid=${this.errors.timezone ? 'true' : 'false'}
              aria-describedby=${this.errors.timezone ? 'or-timezone-error' : nothing}
              @change=${(e: Event) => this.set('timezone', (e.target as HTMLSelectElement).value)}>
              <optgroup label="Likely">${zones.likely.map((o) => html`<option .value=${o.zone} ?selected=${o.zone === d.timezone}>${o.label}</option>`)}</optgroup>
              <optgroup label="All timezones">${zones.others.map((o) => html`<option .value=${o.zone} ?selected=${o.zone === d.timezone}>${o.label}</option>`)}</optgroup>
            </select>
            ${this.fieldError('timezone')}
          </div>
          <div class="field">
            <label for="or-fullSyncEvery">Full sync every (days)</label>
            <input id="or-fullSyncEvery" type="number" min="1" max="30" step="1" .value=${String(d.fullSyncEvery)}
              aria-invalid=${this.errors.fullSyncEvery ? 'true' : 'false'}
              aria-describedby="or-fullSyncEvery-hint${this.errors.fullSyncEvery ? ' or-fullSyncEvery-error' : ''}"
              @input=${(e: Event) => this.set('fullSyncEvery', Number((e.target as HTMLInputElement).value))} />
            <span id="or-fullSyncEvery-hint" class="hint">Runs in between fetch only changes, where the provider allows it.</span>
            ${this.fieldError('fullSyncEvery')}
          </div>
        </div>
        ${this.checkbox('deactivateMissing', 'Deactivate people missing from a full sync',
          'A safeguard holds any run that would deactivate an unusual number of people until you approve it.')}
        ${this.checkbox('districtOffices', 'Import district-level people into a District Office building',
          'People whose primary org is the district (superintendent\'s office, IT staff) get a District Office building from the building sync instead of being skipped.')}
        ${this.checkbox('paused', 'Pause daily automation', 'For example over the summer. Manual syncs still work.')}
        <p><strong>Next run:</strong> ${this.nextRunText()}</p>
        ${this.renderLastScheduledRun()}
        <div class="actions">
          <button type="button" class="button primary" part="button button-primary" ?disabled=${!this.dirty || this.saving}
            @click=${() => this.save()}>${this.saving ? 'Saving…' : 'Save automation'}</button>
          ${this.dirty ? html`<span class="hint">You have unsaved changes.</span>` : nothing}
        </div>
        ${this.errorText ? html`<div id="or-automation-error" class="alert" role="alert" tabindex="-1">${this.errorText}</div>` : nothing}
        <div role="status" aria-live="polite">${this.savedText ? html`<p id="or-automation-saved" class="success" tabindex="-1">${this.savedText}</p>` : nothing}</div>
      </section>
      <oneroster-grade-matrix .client=${this.client} .matrix=${this.view.gradeMatrix ?? {}}></oneroster-grade-matrix>
    `;
  }

  private nextRunText(): string {
    const view = this.view!;
    if (view.paused) return 'None — daily automation is paused.';
    if (!view.studentImport && !view.staffImport) return 'None — automatic student and staff imports are both off.';
    if (!view.nextRunAt) return 'Not scheduled.';
    return `${formatDateTime(view.nextRunAt, view.timezone)} (${view.timezone.replace(/_/g, ' ')})`;
  }

  /** The last daily run, so an automation that silently stopped working is noticed. */
  private renderLastScheduledRun() {
    const last = this.view?.lastScheduledRun;
    if (!last) return nothing;
    const outcome = SCHEDULED_OUTCOMES[last.outcome] ?? last.outcome;
    return html`<p><strong>Last daily run:</strong> ${formatDateTime(last.startedAt, this.view!.timezone)} — ${outcome}${
      last.error ? html`. ${describeCode(last.error.code)}` : nothing}</p>`;
  }

  private checkbox(key: 'studentImport' | 'staffImport' | 'paused' | 'deactivateMissing' | 'districtOffices', label: string, hint: string) {
    const id = `or-${key}`;
    return html`<div class="check">
      <input id=${id} type="checkbox" .checked=${!!this.draft?.[key]} aria-describedby="${id}-hint"
        @change=${(e: Event) => this.set(key, (e.target as HTMLInputElement).checked)} />
      <div><label for=${id}>${label}</label><span id="${id}-hint" class="hint">${hint}</span></div>
    </div>`;
  }

  private fieldError(key: string) {
    const error = this.errors[key];
    return error ? html`<span id="or-${key}-error" class="field-error">${error}</span>` : nothing;
  }
}

defineOnce('oneroster-automation-panel', OneRosterAutomationPanel);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-automation-panel': OneRosterAutomationPanel;
  }
}
