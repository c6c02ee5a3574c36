import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { HeldPlan, RunView } from '../server/domain/contract';
import type { ApiClient } from './api-client';
import type { ConfirmFn } from './confirm-dialog';
import { defineOnce } from './define';
import { formatDateTime, formatDuration, formatNumber, presentKinds, RECORD_KIND_LABELS, RUN_KIND_LABELS } from './format';
import { describeCode, describeError, PHASE_LABELS, TRIGGER_LABELS } from './messages';
import { PanelElement } from './panel-element';
import { countsTable, issuesList, leftOut, reconciliationList, statusBadge } from './run-views';
import { likelyCauses, typeToApprove } from './held-plan';
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
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  /** Asks the admin to confirm. */
  @property({ attribute: false }) confirm!: ConfirmFn;
  /** The run to show. */
  @property({ attribute: false }) runId: number | null = null;
  @state() private run: RunView | null = null;
  @state() private loading: boolean = false;
  @state() private errorText: string = '';
  @state() private acting: 'approve' | 'cancel' | null = null;
  @state() private doneText: string = '';
  /** What the admin typed to confirm a large deactivation. */
  @state() private typed: string = '';
  private watching: AbortController | null = null;

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
    this.typed = '';
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
          <dt>Duration</dt><dd>${formatDuration(run.durationMs)}${run.decision ? ' (not counting the wait for a decision)' : ''}</dd>
          ${run.decision
            ? html`<dt>${run.decision.action === 'approved' ? 'Approved by' : 'Cancelled by'}</dt>
                <dd id="or-run-decision">${run.decision.by ?? 'an administrator'}, ${formatDateTime(run.decision.at)}</dd>`
            : nothing}
          ${run.supersededBy
            ? html`<dt>Replaced by</dt><dd>Run #${run.supersededBy}: a newer sync planned again, so this plan can no longer be approved.</dd>`
            : nothing}
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
        ${run.issueCount ? html`<p><a class="button link" part="button" href=${this.client.issuesCsvUrl(run.id)} download>Download the problems as CSV</a></p>` : nothing}
      </section>
    `;
  }

  private renderPlan(plan: HeldPlan) {
    const busy = !!this.acting;
    const mustType = typeToApprove(plan);
    const typedOk = mustType === null || this.typed.trim().replace(/[,\s]/g, '') === String(mustType);
    // Buildings held as matching keys (an occupied building leaving, a look-alike arriving), beside the mass-deactivation safeguard.
    const buildingReasons = (plan.holdReasons ?? []).filter((reason) => reason.code !== 'mass_deactivation');
    const massHeld = !plan.holdReasons?.length || plan.holdReasons.some((reason) => reason.code === 'mass_deactivation');
    return html`
      <div class="warning" part="held-plan">
        <h4>Held for approval: nothing has been changed yet</h4>
        ${massHeld ? html`<p>This run would deactivate more records than the safeguard allows. Compare what the provider sent with what is active now.</p>` : nothing}
        ${buildingReasons.length
          ? html`<ul class="plain" part="hold-reasons">${buildingReasons.map((reason) => html`<li>${reason.message}${reason.buildings?.length
              ? html` <span class="muted">(${reason.buildings.map((b) => b.name).join(', ')})</span>`
              : nothing}</li>`)}</ul>`
          : nothing}
        <div class="table-wrap"><table>
          <caption>What the provider sent, beside Manage1to1 now</caption>
          <thead><tr><th scope="col">Kind</th><th scope="col" class="num">Sent by the provider</th><th scope="col" class="num">Active now</th>
            <th scope="col" class="num">Would deactivate</th><th scope="col" class="num">Safeguard limit</th></tr></thead>
          <tbody>${presentKinds(plan.deactivations).map((kind) => {
            const d = plan.deactivations[kind]!;
            return html`<tr><th scope="row">${RECORD_KIND_LABELS[kind]}</th>
              <td class="num">${d.received === undefined ? '—' : formatNumber(d.received)}</td><td class="num">${formatNumber(d.active)}</td>
              <td class="num">${formatNumber(d.planned)}</td><td class="num">${formatNumber(d.threshold)}</td></tr>`;
          })}</tbody>
        </table></div>
        ${likelyCauses(plan).map((cause) => html`<p class="cause"><strong>Likely cause:</strong> ${cause}</p>`)}
        ${presentKinds(plan.samples).map(
          (kind) => html`<p class="label">${RECORD_KIND_LABELS[kind]} that would be deactivated, for example:</p>
            <ul class="plain samples">${(plan.samples[kind] ?? []).map(
              (s) => html`<li>${s.name || '(no name)'}${s.number ? html`, number ${s.number}` : nothing}${s.building ? html`, ${s.building}` : nothing}
                <span class="muted">(${s.sourcedId})</span></li>`,
            )}</ul>`,
        )}
      </div>
      ${countsTable(plan.counts, 'Planned changes')}
      <p class="hint">Cancelling is safe: nothing changes, and the next sync plans again from the provider’s data.</p>
      ${mustType !== null
        ? html`<label class="type-to-approve">To approve, type the number of records that would be deactivated (${formatNumber(mustType)})
            <input type="text" inputmode="numeric" autocomplete="off" .value=${this.typed} ?disabled=${busy}
              @input=${(e: Event) => (this.typed = (e.target as HTMLInputElement).value)}></label>`
        : nothing}
      <div class="actions">
        <button type="button" class="button primary" part="button button-primary" ?disabled=${busy}
          @click=${() => this.resolveHeld('cancel')}>${this.acting === 'cancel' ? 'Cancelling…' : 'Cancel run (safe)'}</button>
        <button type="button" class="button" part="button" ?disabled=${busy || !typedOk}
          aria-describedby=${typedOk ? nothing : 'or-approve-reason'}
          @click=${() => this.resolveHeld('approve')}>${this.acting === 'approve' ? 'Approving…' : 'Approve and apply'}</button>
        ${typedOk ? nothing : html`<span id="or-approve-reason" class="hint">Type the number above to approve.</span>`}
      </div>
    `;
  }
}

defineOnce('oneroster-run-detail', OneRosterRunDetail);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-run-detail': OneRosterRunDetail;
  }
}
