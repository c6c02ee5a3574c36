import { html, nothing, type PropertyValues } from 'lit';
import type { HeldPlan, RunView } from '../server/http/contract';
import type { ApiClient } from './api-client';
import type { ConfirmFn } from './confirm-dialog';
import { defineOnce } from './define';
import { formatDateTime, formatDuration, formatNumber, presentKinds, RECORD_KIND_LABELS, RUN_KIND_LABELS } from './format';
import { describeCode, describeError, PHASE_LABELS, TRIGGER_LABELS } from './messages';
import { PanelElement } from './panel-element';
import { countsTable, issuesList, leftOut, reconciliationList, statusBadge } from './run-views';
import { ENDED, watchRun } from './watch-run';

/**
 * One run in full: facts, counts per kind, what was left out, issues, the error; for a held run
 * the plan (planned counts, deactivations against the threshold, samples) with Approve and Cancel.
 *
 * @event oneroster-run-back - internal: the admin wants the list again
 * @event oneroster-run-changed - internal: the run was approved or cancelled; `detail` is the `RunView`
 * @event oneroster-sync-finished - a run approved here has finished applying; `detail` is the `RunView`
 */
export class OneRosterRunDetail extends PanelElement {
  static override properties = {
    client: { attribute: false },
    confirm: { attribute: false },
    runId: { attribute: false },
    run: { state: true },
    loading: { state: true },
    errorText: { state: true },
    acting: { state: true },
    doneText: { state: true },
  };

  /** The API client. */
  declare client: ApiClient;
  /** Asks the admin to confirm. */
  declare confirm: ConfirmFn;
  /** The run to show. */
  declare runId: number | null;
  declare private run: RunView | null;
  declare private loading: boolean;
  declare private errorText: string;
  declare private acting: 'approve' | 'cancel' | null;
  declare private doneText: string;
  private watching: AbortController | null = null;

  constructor() {
    super();
    this.runId = null;
    this.run = null;
    this.loading = false;
    this.errorText = '';
    this.acting = null;
    this.doneText = '';
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.watching?.abort();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('runId') && this.runId !== null) void this.load(this.runId);
  }

  private async load(id: number): Promise<void> {
    this.watching?.abort();
    this.loading = true;
    this.errorText = '';
    this.doneText = '';
    this.run = null;
    try {
      this.run = await this.client.getRun(id);
      if (!ENDED.has(this.run.status)) this.follow(id, false);
    } catch (err) {
      this.errorText = describeError(err);
    } finally {
      this.loading = false;
    }
    await this.updateComplete;
    this.querySelector<HTMLElement>('#or-run-heading')?.focus();
  }

  /** Keeps a queued or running run fresh; announces the end of one the admin approved here. */
  private follow(id: number, announce: boolean): void {
    this.watching?.abort();
    const controller = new AbortController();
    this.watching = controller;
    watchRun(this.client, id, (run) => (this.run = run), controller.signal)
      .then((ended) => {
        if (ended && announce) this.emit('oneroster-sync-finished', ended, true);
      })
      .catch((err: unknown) => {
        if (!controller.signal.aborted) this.errorText = describeError(err);
      });
  }

  private async resolveHeld(action: 'approve' | 'cancel'): Promise<void> {
    const run = this.run;
    if (!run) return;
    const go = await this.confirm(
      action === 'approve'
        ? {
            title: 'Apply this held run?',
            body: 'Every planned change is applied exactly as listed, including the deactivations. Deactivated people keep their devices and history and come back if they reappear.',
            confirmLabel: 'Approve and apply',
            cancelLabel: 'Not now',
          }
        : {
            title: 'Cancel this held run?',
            body: 'Nothing in the plan is applied. The next sync plans again from the provider’s data.',
            confirmLabel: 'Cancel the run',
            cancelLabel: 'Keep it held',
            danger: true,
          },
    );
    if (!go) return;
    this.acting = action;
    this.errorText = '';
    try {
      const updated = action === 'approve' ? await this.client.approveRun(run.id) : await this.client.cancelRun(run.id);
      this.run = updated;
      this.doneText = action === 'approve' ? 'Approved. The planned changes are being applied.' : 'Cancelled. Nothing was changed.';
      this.emit('oneroster-run-changed', updated);
      if (!ENDED.has(updated.status)) this.follow(updated.id, true);
      else if (action === 'approve') this.emit('oneroster-sync-finished', updated, true);
    } catch (err) {
      this.errorText = describeError(err);
    } finally {
      this.acting = null;
    }
    await this.updateComplete;
    this.querySelector<HTMLElement>(this.errorText ? '#or-run-error' : '#or-run-done')?.focus();
  }

  override render() {
    const back = html`<button type="button" class="button link" part="button" @click=${() => this.emit('oneroster-run-back', this.run)}>
      ← Back to history</button>`;
    if (this.loading) return html`${back}<div class="state" role="status">Loading the run…</div>`;
    const run = this.run;
    if (!run) {
      return html`${back}${this.errorText ? html`<div id="or-run-error" class="alert" role="alert" tabindex="-1">${this.errorText}</div>` : nothing}`;
    }
    return html`
      ${back}
      <section class="section" part="section" aria-labelledby="or-run-heading">
        <div class="section-head">
          <h2 id="or-run-heading" tabindex="-1">${RUN_KIND_LABELS[run.kind]} sync #${run.id}</h2>
          ${statusBadge(run.status)}
        </div>
        <dl class="facts">
          <dt>Started by</dt><dd>${TRIGGER_LABELS[run.trigger] ?? run.trigger}${run.requestedBy ? html` — ${run.requestedBy}` : nothing}</dd>
          <dt>Mode</dt><dd>${run.mode === 'delta' ? 'Changes only (delta)' : 'Full'}${run.dryRun ? ' — preview only, nothing applied' : ''}</dd>
          <dt>Queued</dt><dd>${formatDateTime(run.createdAt)}</dd>
          <dt>Started</dt><dd>${formatDateTime(run.startedAt)}</dd>
          <dt>Finished</dt><dd>${formatDateTime(run.finishedAt)}</dd>
          <dt>Duration</dt><dd>${formatDuration(run.durationMs)}</dd>
          ${!ENDED.has(run.status)
            ? html`<dt>Progress</dt><dd>${PHASE_LABELS[run.phase] ?? run.phase}: ${formatNumber(run.progress?.processed ?? 0)}${run.progress?.total ? ` of ${formatNumber(run.progress.total)}` : ''}</dd>`
            : nothing}
        </dl>
        ${run.error ? html`<div class="alert"><strong>Why it failed:</strong> ${describeCode(run.error.code)}</div>` : nothing}
        ${this.errorText ? html`<div id="or-run-error" class="alert" role="alert" tabindex="-1">${this.errorText}</div>` : nothing}
        <div role="status" aria-live="polite">${this.doneText ? html`<p id="or-run-done" class="success" tabindex="-1">${this.doneText}</p>` : nothing}</div>
        ${run.status === 'held' && run.plan ? this.renderPlan(run.plan) : nothing}
        ${countsTable(run.counts?.kinds ?? {}, 'What the run did')}
        ${reconciliationList(run)}
        ${leftOut(run)}
        ${issuesList(run)}
      </section>
    `;
  }

  private renderPlan(plan: HeldPlan) {
    const busy = !!this.acting;
    return html`
      <div class="warning" part="held-plan">
        <h4>Held for approval</h4>
        <p>This run would deactivate more records than the safeguard allows, so nothing has been applied yet.</p>
        <ul class="plain">
          ${presentKinds(plan.deactivations).map((kind) => {
            const d = plan.deactivations[kind]!;
            return html`<li><strong>${RECORD_KIND_LABELS[kind]}:</strong> would deactivate ${formatNumber(d.planned)} of
              ${formatNumber(d.active)} active (the limit is ${formatNumber(d.threshold)}).</li>`;
          })}
        </ul>
        ${presentKinds(plan.samples).map(
          (kind) => html`<p class="label">${RECORD_KIND_LABELS[kind]} that would be deactivated, for example:</p>
            <ul class="plain">${(plan.samples[kind] ?? []).map((s) => html`<li>${s.name} <span class="muted">(${s.sourcedId})</span></li>`)}</ul>`,
        )}
      </div>
      ${countsTable(plan.counts, 'Planned changes')}
      <div class="actions">
        <button type="button" class="button primary" part="button button-primary" ?disabled=${busy}
          @click=${() => this.resolveHeld('approve')}>${this.acting === 'approve' ? 'Approving…' : 'Approve'}</button>
        <button type="button" class="button danger" part="button button-danger" ?disabled=${busy}
          @click=${() => this.resolveHeld('cancel')}>${this.acting === 'cancel' ? 'Cancelling…' : 'Cancel run'}</button>
      </div>
    `;
  }
}

defineOnce('oneroster-run-detail', OneRosterRunDetail);
