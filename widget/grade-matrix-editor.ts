import { html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ApiClient } from './api-client';
import { defineOnce } from './define';
import { describeError } from './messages';
import { PanelElement } from './panel-element';

/** One editable line of the matrix. */
interface Row {
  incoming: string;
  label: string;
}

/**
 * The Grade Level Matrix of the Automation tab: incoming grade values (as the provider sends
 * them, e.g. "First grade", or their CEDS code such as `01`) and the district's own label for
 * each, applied on every user sync. Saved on its own with `PUT /automation { gradeMatrix }`.
 */
export class OneRosterGradeMatrix extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  /** The saved matrix (incoming value → district label). */
  @property({ attribute: false }) matrix: Record<string, string> = {};
  @state() private rows: Row[] = [];
  @state() private saving: boolean = false;
  @state() private errorText: string = '';
  @state() private savedText: string = '';

  override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('matrix')) this.rows = Object.entries(this.matrix ?? {}).map(([incoming, label]) => ({ incoming, label }));
  }

  private edit(index: number, field: keyof Row, value: string): void {
    this.rows = this.rows.map((row, i) => (i === index ? { ...row, [field]: value } : row));
    this.savedText = '';
  }

  private async save(): Promise<void> {
    const gradeMatrix: Record<string, string> = {};
    for (const row of this.rows) if (row.incoming.trim() && row.label.trim()) gradeMatrix[row.incoming.trim()] = row.label.trim();
    this.saving = true;
    this.errorText = '';
    try {
      const view = await this.client.saveAutomation({ gradeMatrix });
      this.matrix = view.gradeMatrix ?? {};
      this.savedText = 'Grade Level Matrix saved. It applies from the next user sync.';
    } catch (err) {
      this.errorText = describeError(err);
    } finally {
      this.saving = false;
    }
  }

  override render() {
    return html`
      <section class="section" part="section" aria-labelledby="or-grades-heading">
        <h2 id="or-grades-heading">Grade Level Matrix</h2>
        <p class="hint">Grades arrive as CEDS codes (KG, 01 … 12); common spellings such as "First grade", "K" or "-1" are
          converted. Map any incoming value or code to your district's own label (at most 16 characters).</p>
        <table class="grade-matrix">
          <thead><tr><th scope="col">Incoming value</th><th scope="col">District label</th><th scope="col"><span class="visually-hidden">Remove</span></th></tr></thead>
          <tbody>
            ${this.rows.map((row, i) => html`<tr>
              <td><input aria-label="Incoming value ${i + 1}" maxlength="64" .value=${row.incoming}
                @input=${(e: Event) => this.edit(i, 'incoming', (e.target as HTMLInputElement).value)} /></td>
              <td><input aria-label="District label ${i + 1}" maxlength="16" .value=${row.label}
                @input=${(e: Event) => this.edit(i, 'label', (e.target as HTMLInputElement).value)} /></td>
              <td><button type="button" class="button" part="button" aria-label="Remove row ${i + 1}"
                @click=${() => { this.rows = this.rows.filter((_, j) => j !== i); }}>Remove</button></td>
            </tr>`)}
          </tbody>
        </table>
        <div class="actions">
          <button type="button" class="button" part="button" @click=${() => { this.rows = [...this.rows, { incoming: '', label: '' }]; }}>Add grade</button>
          <button type="button" class="button primary" part="button button-primary" ?disabled=${this.saving}
            @click=${() => this.save()}>${this.saving ? 'Saving…' : 'Save grade matrix'}</button>
        </div>
        ${this.errorText ? html`<div class="alert" role="alert">${this.errorText}</div>` : nothing}
        <div role="status" aria-live="polite">${this.savedText ? html`<p class="success">${this.savedText}</p>` : nothing}</div>
      </section>
    `;
  }
}

defineOnce('oneroster-grade-matrix', OneRosterGradeMatrix);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-grade-matrix': OneRosterGradeMatrix;
  }
}
