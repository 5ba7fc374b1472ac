/** A one-line progress bar redrawn in place; a no-op unless the stream is a terminal, so logs and pipes stay clean. */
export interface ProgressBar {
  update(done: number, total: number, note?: string): void;
  /** Clears the bar so the next line starts on a clean line. */
  done(): void;
}

const WIDTH = 30;

/** A progress bar on `stream` (stderr by default), drawn only when it is a TTY. */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): ProgressBar {
  if (!stream.isTTY) return { update() {}, done() {} };
  return {
    update(done, total, note) {
      const filled = Math.round((done / total) * WIDTH);
      const bar = `${'█'.repeat(filled)}${'░'.repeat(WIDTH - filled)}`;
      stream.write(`\r\x1b[2K${label} ${bar} ${done}/${total}${note ? `  ${note}` : ''}`);
    },
    done() {
      stream.write('\r\x1b[2K');
    },
  };
}
