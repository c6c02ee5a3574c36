import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from './define';
import { PanelElement } from './panel-element';

/** What a confirmation asks. */
export interface ConfirmOptions {
  /** The question, e.g. "Turn off OneRoster?". */
  title: string;
  /** What will happen, in a sentence or two. */
  body: string;
  /** Label of the button that goes ahead. */
  confirmLabel: string;
  /** Label of the button that backs out. Defaults to "Keep as is". */
  cancelLabel?: string;
  /** Styles the confirm button as destructive. */
  danger?: boolean;
}

/** Asks the admin to confirm; resolves true when they go ahead. */
export type ConfirmFn = (options: ConfirmOptions) => Promise<boolean>;

/**
 * A modal confirmation built on the native `<dialog>` (focus stays inside, Escape backs out).
 * Internal to <oneroster-settings>; panels reach it through the `confirm` function they are given.
 *
 * @csspart dialog - the dialog box
 * @csspart button - its buttons
 */
export class OneRosterConfirmDialog extends PanelElement {
  @state() private options: ConfirmOptions | null = null;
  private resolveAnswer: ((confirmed: boolean) => void) | null = null;
  private returnFocusTo: HTMLElement | null = null;

  /** Shows the dialog and resolves with the admin's answer. */
  async ask(options: ConfirmOptions): Promise<boolean> {
    this.resolveAnswer?.(false);
    this.returnFocusTo = deepActiveElement();
    this.options = options;
    await this.updateComplete;
    const dialog = this.querySelector('dialog');
    dialog?.showModal();
    (this.querySelector('[data-initial-focus]') as HTMLElement | null)?.focus();
    return new Promise<boolean>((resolve) => {
      this.resolveAnswer = resolve;
    });
  }

  private answer(confirmed: boolean): void {
    const dialog = this.querySelector('dialog');
    if (dialog?.open) dialog.close();
    this.options = null;
    const resolve = this.resolveAnswer;
    this.resolveAnswer = null;
    const target = this.returnFocusTo;
    this.returnFocusTo = null;
    if (target?.isConnected) target.focus();
    resolve?.(confirmed);
  }

  override render() {
    const options = this.options;
    if (!options) return nothing;
    return html`
      <dialog part="dialog" aria-labelledby="or-dialog-title" aria-describedby="or-dialog-body" @cancel=${(event: Event) => {
        event.preventDefault();
        this.answer(false);
      }}>
        <h2 id="or-dialog-title">${options.title}</h2>
        <p id="or-dialog-body">${options.body}</p>
        <div class="actions">
          <button type="button" class="button" part="button" data-initial-focus @click=${() => this.answer(false)}>
            ${options.cancelLabel ?? 'Keep as is'}
          </button>
          <button type="button" class="button ${options.danger ? 'danger' : 'primary'}" part="button ${options.danger ? 'button-danger' : 'button-primary'}"
            @click=${() => this.answer(true)}>${options.confirmLabel}</button>
        </div>
      </dialog>
    `;
  }
}

/** The focused element, looking inside shadow roots (the page's activeElement is only the host). */
function deepActiveElement(): HTMLElement | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active instanceof HTMLElement ? active : null;
}

defineOnce('oneroster-confirm-dialog', OneRosterConfirmDialog);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-confirm-dialog': OneRosterConfirmDialog;
  }
}
