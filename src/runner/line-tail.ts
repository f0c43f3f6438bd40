/** Keeps the last N lines of a stream: what a CommandError shows of a command's output. */
export interface LineTail {
  push(line: string): void;
  text(): string;
}

export function createLineTail(max: number): LineTail {
  const lines: string[] = [];
  return {
    push(line) {
      lines.push(line);
      if (lines.length > max) lines.shift();
    },
    text: () => lines.join('\n').trim(),
  };
}
