import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ConfigView, RunKind, RunMode, RunSummary, RunView, SyncInProgressDetails, UserSyncInput } from '../server/domain/contract';
import { ApiError, type ApiClient } from './api-client';
import { defineOnce } from './define';
import { formatAge, formatDateTime, formatDuration, formatNumber, RUN_KIND_LABELS } from './format';
import { describeCode, describeError, PHASE_LABELS } from './messages';
import { PanelElement } from './panel-element';
import { countsTable, leftOut, statusBadge, summaryTiles } from './run-views';
import { watchRun } from './watch-run';

/** Which people a user sync imports, as the admin picks it. */
type KindChoice = 'both' | 'students' | 'staff';
const KIND_CHOICES: Record<KindChoice, UserSyncInput['kinds']> = { both: ['students', 'staff'], students: ['students'], staff: ['staff'] };

/**
 * Sync Buildings and Sync Users, the live progress of the run going on (found again after a page
 * reload), and the summary of the run that just ended.
 *
 * @event oneroster-sync-finished - a run this panel watched has ended; `detail` is the `RunView`
 * @event oneroster-open-run - internal: the admin asked to see a run in the history; `detail` is its id
 * @event oneroster-run-started - internal: a run was started here; `detail` is the `RunView` (the status header refreshes)
 */
export class OneRosterSyncPanel extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  /** The current configuration (for `buildingsSynced` and `configured`). */
  @property({ attribute: false }) config!: ConfigView;
  @state() private run: RunView | null = null;
  @state() private starting: RunKind | null = null;
  @state() private errorText: string = '';
  @state() private noticeText: string = '';
  @state() private mode: RunMode = 'full';
  @state() private kinds: KindChoice = 'both';
  private watching: AbortController | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    if (this.client) void this.resumeActiveRun();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.watching?.abort();
    this.watching = null;
  }

  private get active(): boolean {
    return !!this.run && (this.run.status === 'queued' || this.run.status === 'running');
  }

  /** After a reload (or in a second tab), pick up a run that is still going. */
  private async resumeActiveRun(): Promise<void> {
    try {
      for (const status of ['running', 'queued'] as const) {
        const page = await this.client.listRuns({ status, limit: 1 });
        const found: RunSummary | undefined = page.items[0];
        if (found) {
          this.watch(found.id);
          return;
        }
      }
    } catch {
      // The shell already reports access problems; a missing history just means nothing to resume.
    }
  }

  private async start(kind: RunKind, dryRun = false): Promise<void> {
    this.starting = kind;
    this.previewing = dryRun;
    this.errorText = '';
    this.noticeText = '';
    try {
      const run = kind === 'buildings'
        ? await this.client.syncBuildings()
        : await this.client.syncUsers({ mode: this.mode, dryRun, kinds: KIND_CHOICES[this.kinds] });
      this.run = run;
      this.emit('oneroster-run-started', run);
      this.watch(run.id);
    } catch (err) {
      const runningId = (err instanceof ApiError && err.code === 'sync_in_progress' && (err.details as Partial<SyncInProgressDetails> | null)?.runId) || null;
      if (runningId) {
        this.noticeText = 'A sync is already running. Its progress is shown below.';
        this.watch(Number(runningId));
      } else {
        this.errorText = describeError(err);
      }
    } finally {
      this.starting = null;
    }
    await this.updateComplete;
    this.querySelector<HTMLElement>(this.errorText ? '#or-sync-error' : '#or-sync-progress')?.focus();
  }

  /** Whether the run being started is a Preview. */
  private previewing = false;

  private watch(id: number): void {
    this.watching?.abort();
    const controller = new AbortController();
    this.watching = controller;
    watchRun(this.client, id, (run) => (this.run = run), controller.signal)
      .then((ended) => {
        if (!ended || controller.signal.aborted) return;
        this.emit('oneroster-sync-finished', ended, true);
        // Progress turned into the result: keep the keyboard and screen reader there.
        void this.updateComplete.then(() => this.querySelector<HTMLElement>('#or-sync-result')?.focus());
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) this.errorText = describeError(err);
      });
  }

  override render() {
    const config = this.config;
    const configured = !!config?.configured;
    // Nothing to sync before a provider is saved: the provider form below is the first step.
    if (!configured) return nothing;
    const busy = this.active || !!this.starting;
    const usersBlocked = configured && !config.buildingsSynced;
    const reason = !configured
      ? 'Save a provider configuration to sync.'
      : busy
        ? 'A sync is running; wait for it to finish.'
        : usersBlocked
          ? 'Sync Users is available once buildings have been synced.'
          : '';
    return html`
      <section class="section" part="section" aria-labelledby="or-sync-heading">
        <div class="section-head">
          <h2 id="or-sync-heading">Sync</h2>
          ${config?.lastSuccessfulSyncAt
            ? html`<span class="hint">Last successful sync ${formatDateTime(config.lastSuccessfulSyncAt)}</span>`
            : nothing}
        </div>
        ${this.renderRun()}
        <p class="hint">Sync buildings first (schools become buildings), then students and staff. A sync runs in the background: you can leave this page.
          The automatic-import settings only decide what the daily sync imports.</p>
        <div class="sync-options">
          <label>People
            <select .value=${this.kinds} ?disabled=${busy} @change=${(e: Event) => (this.kinds = (e.target as HTMLSelectElement).value as KindChoice)}>
              <option value="both" ?selected=${this.kinds === 'both'}>Students and staff</option>
              <option value="students" ?selected=${this.kinds === 'students'}>Students only</option>
              <option value="staff" ?selected=${this.kinds === 'staff'}>Staff only</option>
            </select></label>
          <label>Mode
            <select .value=${this.mode} ?disabled=${busy} @change=${(e: Event) => (this.mode = (e.target as HTMLSelectElement).value as RunMode)}>
              <option value="full" ?selected=${this.mode === 'full'}>Full (everyone; may deactivate people who are gone)</option>
              <option value="delta" ?selected=${this.mode === 'delta'}>Changes only (delta)</option>
            </select></label>
        </div>
        <div class="actions">
          <button type="button" class="button ${configured && !config.buildingsSynced ? 'primary' : ''}" part="button"
            ?disabled=${!configured || busy} aria-describedby=${!configured || busy ? 'or-sync-reason' : nothing}
            @click=${() => this.start('buildings')}>${this.starting === 'buildings' ? 'Starting…' : 'Sync Buildings'}</button>
          <button type="button" class="button ${configured && config.buildingsSynced ? 'primary' : ''}" part="button"
            ?disabled=${!configured || usersBlocked || busy} aria-describedby=${reason ? 'or-sync-reason' : nothing}
            @click=${() => this.start('users')}>${this.starting === 'users' && !this.previewing ? 'Starting…' : 'Sync Users'}</button>
          <button type="button" class="button" part="button" ?disabled=${!configured || usersBlocked || busy}
            aria-describedby=${reason ? 'or-sync-reason' : nothing}
            @click=${() => this.start('users', true)}>${this.starting === 'users' && this.previewing ? 'Starting…' : 'Preview (dry run)'}</button>
          ${reason ? html`<span id="or-sync-reason" class="hint">${reason}</span>` : nothing}
        </div>
        ${this.errorText ? html`<div id="or-sync-error" class="alert" role="alert" tabindex="-1">${this.errorText}</div>` : nothing}
        ${this.noticeText ? html`<p class="hint" role="status">${this.noticeText}</p>` : nothing}
      </section>
    `;
  }

  private renderRun() {
    const run = this.run;
    if (!run) return this.renderLastRun();
    if (this.active) return this.renderProgress(run);
    return this.renderResult(run);
  }

  /** The last run's card, so its outcome is still there after a reload. */
  private renderLastRun() {
    const last = this.config?.lastRun;
    if (!last) return nothing;
    return html`<div id="or-last-run" class="progress last-run">
      <h3>Last run: ${RUN_KIND_LABELS[last.kind]}${last.dryRun ? ' preview' : ''} ${statusBadge(last.status)}
        <span class="muted">${formatAge(last.finishedAt ?? last.createdAt)}</span></h3>
      ${last.status === 'succeeded' && !last.dryRun ? summaryTiles(last.counts?.kinds ?? {}) : nothing}
      ${last.error ? html`<p class="alert">${describeCode(last.error.code)}</p>` : nothing}
      ${last.status === 'held' ? html`<p class="warning">Waiting for your approval: nothing has been changed yet.</p>` : nothing}
      <div class="actions"><button type="button" class="button link" part="button"
        @click=${() => this.emit('oneroster-open-run', last.id)}>${last.status === 'held' ? 'Review the held run' : 'View details'}</button></div>
    </div>`;
  }

  private renderProgress(run: RunView) {
    const { processed, total } = run.progress ?? { processed: 0, total: null };
    const known = typeof total === 'number' && total > 0;
    const percent = known ? Math.min(100, Math.round((processed / total) * 100)) : 0;
    const phase = run.status === 'queued' ? PHASE_LABELS.queued : PHASE_LABELS[run.phase] ?? run.phase;
    const amount = known ? `${formatNumber(processed)} of ${formatNumber(total)}` : `${formatNumber(processed)} records`;
    return html`
      <div id="or-sync-progress" class="progress" tabindex="-1" part="progress">
        <div class="progress-label">
          <span role="status" aria-live="polite"><strong>${RUN_KIND_LABELS[run.kind]} sync:</strong> ${phase}…</span>
          <span class="ms">${amount}</span>
        </div>
        <div class="progress-track" role="progressbar" aria-label="${RUN_KIND_LABELS[run.kind]} sync progress" aria-valuemin="0"
          aria-valuemax=${known ? total : nothing} aria-valuenow=${known ? processed : nothing} aria-valuetext="${phase}: ${amount}">
          <div class="progress-fill ${known ? '' : 'indeterminate'}" style="width: ${known ? percent : 35}%"></div>
        </div>
      </div>
    `;
  }

  private renderResult(run: RunView) {
    const kind = RUN_KIND_LABELS[run.kind];
    const openInHistory = html`<button type="button" class="button link" part="button"
      @click=${() => this.emit('oneroster-open-run', run.id)}>${run.status === 'held' ? 'Review the held run' : 'View details'}</button>`;
    return html`
      <div id="or-sync-result" class="progress" role="status" aria-live="polite" tabindex="-1">
        <h3>${kind} ${run.dryRun ? 'preview' : 'sync'} ${statusBadge(run.status)}</h3>
        ${run.dryRun && run.status === 'succeeded'
          ? html`<p><strong>Preview only: nothing was changed.</strong> This is what a sync would do now.</p>
              ${countsTable(run.plan?.counts ?? run.counts?.kinds ?? {}, 'What a sync would do')}`
          : nothing}
        ${run.status === 'succeeded' && !run.dryRun
          ? html`<p>Finished in ${formatDuration(run.durationMs)}.${run.issueCount ? ` ${formatNumber(run.issueCount)} ${run.issueCount === 1 ? 'record had a problem' : 'records had problems'}.` : ''}</p>
              ${summaryTiles(run.counts?.kinds ?? {})} ${leftOut(run)}`
          : nothing}
        ${run.status === 'failed'
          ? html`<p class="alert">${run.error ? describeCode(run.error.code) : 'The sync failed.'} Nothing it did not fully read was changed.</p>`
          : nothing}
        ${run.status === 'held'
          ? html`<p class="warning">This sync would deactivate more records than the safeguard allows, so nothing was changed. Review the plan, then approve or cancel it.</p>`
          : nothing}
        ${run.status === 'cancelled' ? html`<p>The run was cancelled; nothing was changed.</p>` : nothing}
        <div class="actions">${openInHistory}</div>
      </div>
    `;
  }
}

defineOnce('oneroster-sync-panel', OneRosterSyncPanel);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-sync-panel': OneRosterSyncPanel;
  }
}
