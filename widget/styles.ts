import { css } from 'lit';

/**
 * The widget's one stylesheet, adopted by the <oneroster-settings> shadow root. The inner panels
 * render into that same root, so these rules (and the host's `::part` rules) reach all of them.
 * Every colour, the font and the corner radius come from custom properties the host may set.
 */
export const settingsStyles = css`
  :host {
    --_accent: var(--oneroster-accent, #1d4ed8);
    --_accent-text: var(--oneroster-accent-contrast, #ffffff);
    --_text: var(--oneroster-text, #1f2937);
    --_muted: var(--oneroster-muted, #4b5563);
    --_border: var(--oneroster-border, #d1d5db);
    --_surface: var(--oneroster-surface, #ffffff);
    --_surface-alt: var(--oneroster-surface-alt, #f8fafc);
    --_radius: var(--oneroster-radius, 6px);
    --_danger: var(--oneroster-danger, #b42318);
    --_success: var(--oneroster-success, #067647);
    --_warning: var(--oneroster-warning, #93370d);
    --_gap: var(--oneroster-spacing, 16px);
    display: block;
    /* In a host's flex or grid column, never grow to a wide table's width: tables scroll in their box. */
    min-width: 0;
    color: var(--_text);
    font-family: var(--oneroster-font, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    font-size: var(--oneroster-font-size, 14px);
    line-height: 1.5;
  }
  :host([hidden]) { display: none; }
  /* Forms read best narrow; the History table takes the full width it is given. */
  .status-header, .banner, .tabs, [part~='panel']:not(#or-panel-history), .state { max-width: var(--oneroster-max-width, 960px); }
  *, *::before, *::after { box-sizing: border-box; }

  h2, h3, h4 { margin: 0 0 8px; line-height: 1.3; }
  h2 { font-size: 1.3em; }
  h3 { font-size: 1.1em; }
  h4 { font-size: 1em; margin-top: 16px; }
  p { margin: 0 0 8px; }
  [tabindex='-1']:focus { outline: none; }

  /* Tabs */
  .tabs { display: flex; flex-wrap: wrap; gap: 4px; border-bottom: 1px solid var(--_border); margin-bottom: var(--_gap); }
  .tab {
    appearance: none; background: none; border: 0; border-bottom: 3px solid transparent;
    padding: 10px 16px; margin-bottom: -1px; font: inherit; font-weight: 600; color: var(--_muted); cursor: pointer;
  }
  .tab:hover { color: var(--_text); }
  .tab[aria-selected='true'] { color: var(--_accent); border-bottom-color: var(--_accent); }
  .tab:focus-visible { outline: 2px solid var(--_accent); outline-offset: -2px; border-radius: var(--_radius) var(--_radius) 0 0; }

  /* Sections */
  .section {
    background: var(--_surface); border: 1px solid var(--_border); border-radius: var(--_radius);
    padding: var(--_gap); margin-bottom: var(--_gap);
  }
  .section-head { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; flex-wrap: wrap; }
  .hint { color: var(--_muted); font-size: 0.93em; }
  .muted { color: var(--_muted); }

  /* Forms */
  .fields { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 12px 16px; margin: 12px 0; }
  .field { display: flex; flex-direction: column; gap: 4px; min-width: 0; }
  .field.wide { grid-column: 1 / -1; }
  label, .label { font-weight: 600; }
  input[type='text'], input[type='url'], input[type='password'], input[type='number'], input[type='time'], select {
    font: inherit; color: var(--_text); background: var(--_surface);
    border: 1px solid var(--_border); border-radius: var(--_radius); padding: 7px 10px; min-height: 36px; width: 100%;
  }
  input:focus-visible, select:focus-visible { outline: 2px solid var(--_accent); outline-offset: 1px; border-color: var(--_accent); }
  input[aria-invalid='true'], select[aria-invalid='true'] { border-color: var(--_danger); }
  .field-error { color: var(--_danger); font-size: 0.93em; }
  fieldset { border: 0; padding: 0; margin: 0 0 8px; min-width: 0; }
  legend { font-weight: 600; padding: 0; margin-bottom: 6px; }
  .choices { display: flex; flex-wrap: wrap; gap: 8px; }
  .choice {
    display: flex; align-items: center; gap: 8px; border: 1px solid var(--_border); border-radius: var(--_radius);
    padding: 8px 12px; cursor: pointer; font-weight: 500; background: var(--_surface);
  }
  .choice:has(input:checked) { border-color: var(--_accent); box-shadow: inset 0 0 0 1px var(--_accent); }
  .choice input { margin: 0; accent-color: var(--_accent); }
  .check { display: flex; align-items: flex-start; gap: 8px; font-weight: 500; margin: 6px 0; }
  .check input { margin-top: 4px; accent-color: var(--_accent); width: 16px; height: 16px; flex: none; }
  .check .hint { display: block; font-weight: 400; }
  .inline { display: flex; align-items: center; gap: 8px; }
  .inline input[type='number'] { width: 90px; }

  /* Buttons */
  .actions + h4, .table-wrap + .actions { margin-top: 16px; }
  .actions { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; margin-top: 12px; }
  .button {
    appearance: none; font: inherit; font-weight: 600; cursor: pointer; display: inline-flex; align-items: center; gap: 6px;
    border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_surface); color: var(--_text);
    padding: 7px 14px; min-height: 36px;
  }
  .button:hover:not(:disabled) { background: var(--_surface-alt); }
  .button.primary { background: var(--_accent); border-color: var(--_accent); color: var(--_accent-text); }
  .button.primary:hover:not(:disabled) { filter: brightness(0.92); background: var(--_accent); }
  .button.danger { color: var(--_danger); border-color: currentColor; }
  .button.link { border: 0; background: none; color: var(--_accent); padding: 4px 6px; min-height: 0; text-decoration: underline; }
  .button:disabled { cursor: not-allowed; opacity: 0.55; }
  .button:focus-visible { outline: 2px solid var(--_accent); outline-offset: 2px; }

  /* Messages */
  .banner {
    display: flex; align-items: center; justify-content: space-between; gap: 12px; flex-wrap: wrap;
    border: 1px solid var(--_border); border-left: 4px solid var(--_accent); border-radius: var(--_radius);
    background: var(--_surface-alt); padding: 10px 14px; margin-bottom: var(--_gap);
  }
  .banner > span { flex: 1 1 420px; }
  .alert {
    border: 1px solid #f3b8b2; border-left: 4px solid var(--_danger); background: #fef3f2; color: #7a271a;
    border-radius: var(--_radius); padding: 10px 14px; margin: 12px 0;
  }
  .alert ul { margin: 6px 0 0; padding-left: 20px; }
  .success {
    border: 1px solid #abefc6; border-left: 4px solid var(--_success); background: #ecfdf3; color: #054f31;
    border-radius: var(--_radius); padding: 10px 14px; margin: 12px 0;
  }
  .warning {
    border: 1px solid #fedf89; border-left: 4px solid #dc6803; background: #fffaeb; color: var(--_warning);
    border-radius: var(--_radius); padding: 10px 14px; margin: 12px 0;
  }
  .state { padding: 24px; text-align: center; color: var(--_muted); }
  .state.error { text-align: left; }

  /* Connection test steps */
  .steps { list-style: none; padding: 0; margin: 8px 0; }
  .steps li { display: flex; gap: 8px; align-items: baseline; padding: 3px 0; }
  .mark { font-weight: 700; width: 1.2em; text-align: center; flex: none; }
  .mark.ok { color: var(--_success); }
  .mark.fail { color: var(--_danger); }
  .ms { color: var(--_muted); font-variant-numeric: tabular-nums; }
  .schools { margin: 6px 0 0; padding-left: 20px; }

  /* Progress */
  .progress { margin: 12px 0; }
  .progress-track { height: 10px; background: #e5e7eb; border-radius: 999px; overflow: hidden; }
  .progress-fill { height: 100%; background: var(--_accent); border-radius: 999px; transition: width 0.4s ease; }
  .progress-fill.indeterminate { width: 35%; animation: slide 1.2s ease-in-out infinite; }
  @keyframes slide { from { margin-left: -35%; } to { margin-left: 100%; } }
  @media (prefers-reduced-motion: reduce) { .progress-fill { transition: none; } .progress-fill.indeterminate { animation: none; width: 100%; opacity: 0.5; } }
  .progress-label { display: flex; justify-content: space-between; gap: 12px; font-size: 0.93em; margin-bottom: 4px; }

  /* Tables */
  /* Positioned, so visually hidden labels inside (absolutely placed) scroll with the table instead of widening the page. */
  .table-wrap { overflow-x: auto; max-width: 100%; position: relative; }
  table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
  caption { text-align: left; font-weight: 600; padding-bottom: 6px; }
  th, td { text-align: left; padding: 7px 10px; border-bottom: 1px solid var(--_border); vertical-align: top; }
  th { font-weight: 600; background: var(--_surface-alt); white-space: nowrap; }
  td.num, th.num { text-align: right; }
  td.nowrap { white-space: nowrap; }
  .pager { display: flex; align-items: center; justify-content: space-between; gap: 8px; margin-top: 12px; flex-wrap: wrap; }

  /* Status badges */
  .badge { display: inline-block; border-radius: 999px; padding: 1px 9px; font-size: 0.86em; font-weight: 600; white-space: nowrap; border: 1px solid transparent; }
  .badge.succeeded { background: #ecfdf3; color: #085d3a; border-color: #abefc6; }
  .badge.failed { background: #fef3f2; color: #912018; border-color: #fecdca; }
  .badge.held { background: #fffaeb; color: #7a2e0e; border-color: #fedf89; }
  .badge.running, .badge.queued { background: #eff8ff; color: #194185; border-color: #b2ddff; }
  .badge.cancelled { background: #f2f4f7; color: #344054; border-color: #d0d5dd; }

  dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0 12px; }
  dl.facts dt { font-weight: 600; color: var(--_muted); }
  dl.facts dd { margin: 0; }
  .summary-grid { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; padding: 0; list-style: none; }
  .summary-grid li { border: 1px solid var(--_border); border-radius: var(--_radius); padding: 6px 12px; min-width: 96px; background: var(--_surface); }
  .summary-grid strong { display: block; font-size: 1.25em; font-variant-numeric: tabular-nums; }
  ul.plain { margin: 4px 0 8px; padding-left: 20px; }
  code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 0.92em; }

  /* Confirmation dialog */
  dialog {
    border: 1px solid var(--_border); border-radius: var(--_radius); padding: 20px 24px; width: min(520px, 92vw);
    color: var(--_text); background: var(--_surface); box-shadow: 0 12px 32px rgba(16, 24, 40, 0.22);
  }
  dialog h2 { font-size: 1.15em; }
  dialog .actions { justify-content: flex-end; margin-top: 16px; }
  dialog::backdrop { background: rgba(16, 24, 40, 0.45); }

  /* Status header, held review, Automation Status */
  .status-header { border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_surface-alt); padding: 8px 14px; margin-bottom: var(--_gap); }
  .status-line { margin: 4px 0; display: flex; flex-wrap: wrap; align-items: center; gap: 4px 10px; }
  .status-line.attention { color: var(--_warning); }
  .status-line.warning { color: var(--_danger); }
  .badge.superseded { background: #f2f4f7; color: #344054; border-color: #d0d5dd; text-decoration: line-through; }
  .sync-options { display: flex; flex-wrap: wrap; gap: 8px 16px; margin: 8px 0; }
  .sync-options label, .type-to-approve { display: flex; flex-direction: column; gap: 4px; font-weight: 600; max-width: 100%; }
  .sync-options select { max-width: 100%; }
  .type-to-approve input { max-width: 12em; }
  .cause { margin: 6px 0; }
  .health { border-radius: var(--_radius); padding: 10px 14px; margin: 8px 0 12px; border: 1px solid; }
  .health.healthy { background: #ecfdf3; color: #085d3a; border-color: #abefc6; }
  .health.failing { background: #fef3f2; color: #912018; border-color: #fecdca; }
  .health.unknown { background: var(--_surface-alt); border-color: var(--_border); }
  .heatmap { display: grid; grid-template-columns: repeat(auto-fill, minmax(24px, 1fr)); gap: 4px; list-style: none; padding: 0; margin: 8px 0; }
  .cell { display: inline-block; width: 24px; height: 24px; border-radius: 4px; border: 1px solid var(--_border); background: #f2f4f7; padding: 0; vertical-align: middle; }
  button.cell { cursor: pointer; }
  .cell.succeeded { background: #32d583; border-color: #039855; }
  .cell.failed, .cell.error, .cell.not_started { background: #f97066; border-color: #d92d20; }
  .cell.held, .cell.running { background: #fdb022; border-color: #dc6803; }
  .cell.cancelled { background: #d0d5dd; }
  .legend .cell { width: 12px; height: 12px; margin-left: 8px; }
  .chart { width: 100%; max-width: 600px; height: auto; border: 1px solid var(--_border); border-radius: var(--_radius); background: var(--_surface); }
  .chart .students { stroke: var(--_accent); }
  .swatch { display: inline-block; width: 14px; height: 3px; vertical-align: middle; margin-left: 8px; }
  .swatch.students { background: var(--_accent); }
  .swatch.staff { background: #dc6803; }
  .chart .staff { stroke: #dc6803; }
  .filters { display: flex; flex-wrap: wrap; gap: 8px 16px; margin: 4px 0 10px; }
  .filters label { display: flex; flex-direction: column; gap: 2px; font-weight: 600; }
  table.history th, table.history td { white-space: normal; }
  table.history tbody tr { cursor: pointer; }
  table.history tbody tr:hover { background: var(--_surface-alt); }

  .visually-hidden {
    position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
  }
`;
