import { html, nothing, svg, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { AutomationDay, AutomationStatusView } from '../server/domain/contract';
import type { ApiClient } from './api-client';
import { defineOnce } from './define';
import { formatDateTime, formatNumber } from './format';
import { describeCode, describeError } from './messages';
import { PanelElement } from './panel-element';

const OUTCOME_WORDS: Record<AutomationDay['outcome'], string> = {
  none: 'no daily sync', running: 'running', succeeded: 'succeeded', failed: 'failed', held: 'held for approval',
  cancelled: 'cancelled', not_started: 'could not start', error: 'stopped by an error',
};

/**
 * Automation Status: a health banner (green, or red when the daily sync failed several runs in a
 * row), a 30-day heatmap of the daily runs (each day opens its run), and the active students and
 * staff over time.
 *
 * @event oneroster-open-run - internal: the admin opened a day's run; `detail` is its id
 */
export class OneRosterAutomationStatus extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  /** Whether the tab is showing (it reloads each time it is shown). */
  @property({ type: Boolean }) active = false;
  @state() private view: AutomationStatusView | null = null;
  @state() private errorText = '';

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('active') && this.active) void this.load();
  }

  private async load(): Promise<void> {
    this.errorText = '';
    try {
      this.view = await this.client.getAutomationStatus();
    } catch (err) {
      this.errorText = describeError(err);
    }
  }

  override render() {
    const view = this.view;
    return html`<section class="section" part="section" aria-labelledby="or-health-heading">
      <div class="section-head"><h2 id="or-health-heading">Automation Status</h2></div>
      ${this.errorText ? html`<div class="alert" role="alert">${this.errorText}</div>` : nothing}
      ${!view && !this.errorText ? html`<div class="state" role="status">Loading…</div>` : nothing}
      ${view ? this.renderView(view) : nothing}
    </section>`;
  }

  private renderView(view: AutomationStatusView) {
    const banner = view.health === 'failing'
      ? html`<div class="health failing" id="or-health" role="alert"><strong>The daily sync is failing:</strong> the last ${view.failingStreak} daily runs did not succeed.</div>`
      : view.health === 'healthy'
        ? html`<div class="health healthy" id="or-health"><strong>The daily sync is healthy.</strong>${view.failingStreak ? ` The last ${view.failingStreak === 1 ? 'run' : `${view.failingStreak} runs`} did not succeed.` : ''}</div>`
        : html`<div class="health unknown" id="or-health">No daily sync has run yet.</div>`;
    return html`${banner}
      <h3>Daily runs, last 30 days</h3>
      <ol class="heatmap" aria-label="Daily runs, oldest first">
        ${view.days.map((day) => {
          const label = `${day.date}: ${OUTCOME_WORDS[day.outcome]}${day.error ? ` — ${describeCode(day.error.code)}` : ''}`;
          const runId = day.runIds[day.runIds.length - 1];
          return html`<li>${runId
            ? html`<button type="button" class="cell ${day.outcome}" title=${label} aria-label=${label}
                @click=${() => this.emit('oneroster-open-run', runId)}></button>`
            : html`<span class="cell ${day.outcome}" title=${label} role="img" aria-label=${label}></span>`}</li>`;
        })}
      </ol>
      <p class="legend hint"><span class="cell succeeded"></span> succeeded <span class="cell failed"></span> failed
        <span class="cell held"></span> held <span class="cell none"></span> none</p>
      <h3>Active students and staff</h3>
      ${view.activeCounts.length ? this.renderCounts(view.activeCounts) : html`<p class="muted">No user sync has changed the roster in these 30 days.</p>`}`;
  }

  private renderCounts(points: AutomationStatusView['activeCounts']) {
    const width = 600;
    const height = 120;
    const max = Math.max(1, ...points.map((p) => Math.max(p.students, p.staff)));
    const x = (i: number) => (points.length === 1 ? width / 2 : (i / (points.length - 1)) * (width - 20) + 10);
    const y = (v: number) => height - 10 - (v / max) * (height - 20);
    const line = (key: 'students' | 'staff') => points.map((p, i) => `${x(i)},${y(p[key])}`).join(' ');
    const last = points[points.length - 1]!;
    return html`<svg class="chart" viewBox="0 0 ${width} ${height}" role="img" aria-label="Active students and staff over time">
        ${svg`<polyline class="students" points=${line('students')} fill="none" stroke-width="2"></polyline>
          <polyline class="staff" points=${line('staff')} fill="none" stroke-width="2"></polyline>`}
      </svg>
      <table class="visually-hidden"><caption>Active people after each sync</caption>
        <thead><tr><th scope="col">When</th><th scope="col">Students</th><th scope="col">Staff</th></tr></thead>
        <tbody>${points.map((p) => html`<tr><td>${formatDateTime(p.at)}</td><td>${p.students}</td><td>${p.staff}</td></tr>`)}</tbody></table>
      <p class="legend hint"><span class="swatch students"></span> students <span class="swatch staff"></span> staff</p>
      <p id="or-active-now">Now: <strong>${formatNumber(last.students)}</strong> active students, <strong>${formatNumber(last.staff)}</strong> active staff.</p>`;
  }
}

defineOnce('oneroster-automation-status', OneRosterAutomationStatus);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-automation-status': OneRosterAutomationStatus;
  }
}
