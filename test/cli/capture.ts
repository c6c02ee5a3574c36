import type { OutputStream } from '../../cli/io';

/** An output stream that keeps what was written, optionally pretending to be a terminal. */
export interface CapturedStream extends OutputStream {
  /** Everything written so far. */
  readonly text: string;
}

/** A capturing stream; `isTTY` makes the CLI draw its progress bar. */
export function captureStream(isTTY = false): CapturedStream {
  const chunks: string[] = [];
  return {
    isTTY,
    columns: 100,
    write(chunk: string) {
      chunks.push(chunk);
      return true;
    },
    get text() {
      return chunks.join('');
    },
  };
}
