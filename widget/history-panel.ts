import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { RunKind, RunStatus, RunSummary, RunTrigger } from '../server/domain/contract';
import type { ApiClient } from './api-client';
import type { ConfirmFn } from './confirm-dialog';
import { defineOnce } from './define';
import { countsDigest, formatDateTime, formatDuration, formatNumber, RUN_KIND_SHORT_LABELS } from './format';
import { describeCode, describeError, STATUS_LABELS, TRIGGER_LABELS } from './messages';
import { PanelElement } from './panel-element';
import './run-detail';
import { statusBadge } from './run-views';

const PAGE_SIZE = 10;

/**
 * The run history, newest first and paged, and one run's detail when the admin opens it.
 * Reloads whenever it becomes the active tab so it is never stale.
 *
 * @event oneroster-history-closed-run - internal: the detail was closed (so the shell forgets its run id)
 */
export class OneRosterHistoryPanel extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  /** Asks the admin to confirm. */
  @property({ attribute: false }) confirm!: ConfirmFn;
  /** Whether the History tab is showing. */
  @property({ type: Boolean }) active: boolean = false;
  /** The run whose detail is open, or null for the list. */
  @property({ attribute: false }) openRunId: number | null = null;
  @state() private items: RunSummary[] = [];
  @state() private total: number = 0;
  @state() private offset: number = 0;
  @state() private loading: boolean = false;
  @state() private errorText: string = '';
  @state() private filter: { kind?: RunKind; status?: RunStatus; trigger?: RunTrigger } = {};
  private lastOpened: number | null = null;

  protected override updated(changed: PropertyValues<this>): void {
    const becameActive = changed.has('active') && this.active;
    const backToList = changed.has('openRunId') && this.openRunId === null && changed.get('openRunId') != null;
    if (this.active && this.openRunId === null && (becameActive || backToList)) void this.load(this.offset);
  }

  private async load(offset: number): Promise<void> {
    this.loading = true;
    this.errorText = '';
    try {
      const page = await this.client.listRuns({ limit: PAGE_SIZE, offset, ...this.filter });
      this.items = page.items;
      this.total = page.total;
      this.offset = offset;
    } catch (err) {
      this.errorText = describeError(err);
    } finally {
      this.loading = false;
    }
  }

  private async page(offset: number): Promise<void> {
    await this.load(offset);
    await this.updateComplete;
    this.querySelector<HTMLElement>('#or-history-heading')?.focus();
  }

  private open(id: number): void {
    this.lastOpened = id;
    this.openRunId = id;
  }

  private async back(): Promise<void> {
    this.openRunId = null;
    this.emit('oneroster-history-closed-run', null);
    await this.load(this.offset);
    await this.updateComplete;
    const returnTo = this.querySelector<HTMLElement>(`[data-run-id="${this.lastOpened}"]`) ?? this.querySelector<HTMLElement>('#or-history-heading');
    returnTo?.focus();
  }

  override render() {
    if (this.openRunId !== null) {
      return html`<oneroster-run-detail .client=${this.client} .confirm=${this.confirm} .runId=${this.openRunId}
        @oneroster-run-back=${() => this.back()}></oneroster-run-detail>`;
    }
    const from = this.total ? this.offset + 1 : 0;
    const to = Math.min(this.offset + this.items.length, this.total);
    return html`
      <section class="section" part="section" aria-labelledby="or-history-heading" aria-busy=${this.loading ? 'true' : 'false'}>
        <div class="section-head">
          <h2 id="or-history-heading" tabindex="-1">Sync history</h2>
          <button type="button" class="button" part="button" ?disabled=${this.loading} @click=${() => this.load(this.offset)}>Refresh</button>
        </div>
        ${this.renderFilters()}
        ${this.errorText ? html`<div class="alert" role="alert">${this.errorText}</div>` : nothing}
        ${this.loading && !this.items.length ? html`<div class="state" role="status">Loading the history…</div>` : nothing}
        ${!this.loading && !this.errorText && !this.items.length
          ? html`<div class="state">No syncs yet. Runs appear here once you sync buildings or users.</div>`
          : nothing}
        ${this.items.length ? this.renderTable() : nothing}
        ${this.total > PAGE_SIZE
          ? html`<nav class="pager" aria-label="History pages">
              <span>Showing ${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(this.total)}</span>
              <span class="actions" style="margin:0">
                <button type="button" class="button" part="button" ?disabled=${this.loading || this.offset === 0}
                  @click=${() => this.page(Math.max(0, this.offset - PAGE_SIZE))}>Newer</button>
                <button type="button" class="button" part="button" ?disabled=${this.loading || this.offset + PAGE_SIZE >= this.total}
                  @click=${() => this.page(this.offset + PAGE_SIZE)}>Older</button>
              </span>
            </nav>`
          : nothing}
      </section>
    `;
  }

  private setFilter(key: 'kind' | 'status' | 'trigger', value: string): void {
    this.filter = { ...this.filter, [key]: value || undefined };
    void this.load(0);
  }

  private renderFilters() {
    const select = (key: 'kind' | 'status' | 'trigger', label: string, options: Record<string, string>) =>
      html`<label>${label}<select .value=${this.filter[key] ?? ''} @change=${(e: Event) => this.setFilter(key, (e.target as HTMLSelectElement).value)}>
        <option value="">All</option>${Object.entries(options).map(([value, words]) => html`<option value=${value}>${words}</option>`)}
      </select></label>`;
    return html`<div class="filters">
      ${select('kind', 'Kind', RUN_KIND_SHORT_LABELS)} ${select('status', 'Status', STATUS_LABELS)} ${select('trigger', 'Started by', TRIGGER_LABELS)}
    </div>`;
  }

  private renderTable() {
    return html`<div class="table-wrap"><table class="history">
      <caption class="visually-hidden">Sync runs, newest first</caption>
      <thead><tr>
        <th scope="col">Run</th><th scope="col">Status</th><th scope="col">Started by</th>
        <th scope="col">Started</th><th scope="col" class="num">Duration</th><th scope="col">Result</th><th scope="col"><span class="visually-hidden">Details</span></th>
      </tr></thead>
      <tbody>
        ${this.items.map(
          (run) => html`<tr @click=${() => this.open(run.id)}>
            <td>${RUN_KIND_SHORT_LABELS[run.kind]}${run.dryRun ? ' (preview)' : ''} <span class="muted">#${run.id}</span></td>
            <td>${statusBadge(run.status)}</td>
            <td>${TRIGGER_LABELS[run.trigger] ?? run.trigger}${run.requestedBy ? html`<br><span class="muted">${run.requestedBy}</span>` : nothing}</td>
            <td>${formatDateTime(run.startedAt ?? run.createdAt)}</td>
            <td class="num">${formatDuration(run.durationMs)}</td>
            <td>${run.status === 'failed' ? (run.error ? describeCode(run.error.code) : 'Failed — see details') : run.status === 'held' ? 'Waiting for approval' : run.status === 'superseded' ? `Replaced by run #${run.supersededBy ?? '?'}` : countsDigest(run)}</td>
            <td><button type="button" class="button" part="button" data-run-id=${run.id} aria-label="Details of run ${run.id}"
              @click=${() => this.open(run.id)}>Details</button></td>
          </tr>`,
        )}
      </tbody>
    </table></div>`;
  }
}

defineOnce('oneroster-history-panel', OneRosterHistoryPanel);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-history-panel': OneRosterHistoryPanel;
  }
}
