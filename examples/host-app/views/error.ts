import { html } from './html';
import { renderDocument } from './layout';

/** A plain error page for browsers (API callers get JSON). */
export function renderErrorPage(status: number, message: string): string {
  return renderDocument(
    `Error ${status}`,
    html`<main class="login">
  <div class="card">
    <h1>${status === 404 ? 'Page not found' : 'Something went wrong'}</h1>
    <p>${message}</p>
    <p><a href="/">Back to the start</a></p>
  </div>
</main>`,
  );
}
