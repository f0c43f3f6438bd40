/**
 * The live terminal display: a status area (phase, task n/N, description, elapsed time, and a bar for
 * progress with a known total) redrawn in place at most every 100 ms; finished tasks, warnings and
 * rollback steps scroll above it as permanent lines (`✔ base/create-volume  2.1s`).
 */
import type { BuildEvent, EventSink } from '../api/events.js';
import type { Phase } from '../api/phases.js';
import { formatArgv } from '../api/runner.js';
import { maskSecrets } from '../log/secrets.js';
import { createColors, shouldColor, type ColorMode } from './color.js';
import {
  formatSeconds,
  phaseName,
  progressBar,
  progressCount,
  type RenderStream,
  type RendererOptions,
} from './format.js';
import { describeArtifact } from './describe-artifact.js';

export interface TtyRendererOptions extends RendererOptions {
  /** A resolved choice, or a mode resolved against the stream. */
  readonly color: boolean | ColorMode;
  /** Minimum time between redraws (default 100 ms). */
  readonly redrawIntervalMs?: number;
}

interface Current {
  id: string;
  description: string;
  phase: Phase;
  startedAt: number;
  progress?: { done: number; total?: number; unit?: string; message?: string };
}

const ESC = '\x1b[';

export function createTtyRenderer(
  stream: RenderStream,
  opts: TtyRendererOptions,
): EventSink & { close(): void } {
  const c = createColors(shouldColor(opts.color, stream));
  const interval = opts.redrawIntervalMs ?? 100;
  let total = 0;
  let index = 0;
  let current: Current | undefined;
  let rollingBack = false;
  let liveLines = 0;
  let lastDraw = -Infinity;
  let pending: NodeJS.Timeout | undefined;
  let ticker: NodeJS.Timeout | undefined;
  let closed = false;

  const width = () => Math.max(20, (stream.columns ?? 80) - 1);
  // Lines longer than the terminal would wrap and break the cursor-up arithmetic.
  const fit = (s: string) => (visibleLength(s) > width() ? truncate(s, width()) : s);

  function clear(): void {
    if (liveLines === 0) return;
    stream.write(`\r${liveLines > 1 ? `${ESC}${liveLines - 1}A` : ''}${ESC}J`);
    liveLines = 0;
  }

  function draw(): void {
    pending = undefined;
    if (closed) return;
    lastDraw = performance.now();
    const lines = liveArea();
    clear();
    if (lines.length === 0) return;
    stream.write(lines.map(fit).join('\n'));
    liveLines = lines.length;
  }

  function scheduleDraw(): void {
    if (closed || pending) return;
    const wait = lastDraw + interval - performance.now();
    if (wait <= 0) draw();
    else pending = setTimeout(draw, wait).unref();
  }

  function liveArea(): string[] {
    if (rollingBack) return [c.yellow('rolling back...')];
    if (!current) return [];
    const elapsed = formatSeconds((performance.now() - current.startedAt) / 1000);
    const head =
      `${c.cyan(phaseName(current.phase))} ${c.bold(`${index}/${total}`)} ${current.description} ` +
      c.dim(`${current.id} ${elapsed}`);
    const p = current.progress;
    if (!p) return [head];
    const bar = p.total !== undefined ? `${progressBar(p.done, p.total)} ` : '';
    return [
      head,
      `  ${bar}${progressCount(p.done, p.total, p.unit)}${p.message ? ` ${c.dim(p.message)}` : ''}`,
    ];
  }

  /** A permanent line above the status area. */
  function printAbove(text: string): void {
    if (closed) return;
    clear();
    stream.write(maskSecrets(text) + '\n');
    scheduleDraw();
  }

  return {
    emit(e: BuildEvent) {
      switch (e.type) {
        case 'plan':
          total = e.tasks.length;
          return;
        case 'phase-start':
          return;
        case 'task-start':
          index += 1;
          current = {
            id: e.id,
            description: maskSecrets(e.description),
            phase: e.phase,
            startedAt: performance.now(),
          };
          // Keeps the elapsed time moving while a long task reports nothing.
          ticker ??= setInterval(scheduleDraw, 1000).unref();
          return scheduleDraw();
        case 'task-end': {
          const mark = e.status === 'ok' ? c.green('✔') : c.red('✖');
          current = undefined;
          return printAbove(`${mark} ${e.id}  ${c.dim(formatSeconds(e.seconds))}`);
        }
        case 'progress':
          if (current?.id !== e.id) return;
          current.progress = {
            done: e.done,
            ...(e.total !== undefined ? { total: e.total } : {}),
            ...(e.unit !== undefined ? { unit: e.unit } : {}),
            ...(e.message !== undefined ? { message: maskSecrets(e.message) } : {}),
          };
          return scheduleDraw();
        case 'log': {
          if (e.level === 'debug' && !opts.debug) return;
          const tag = e.task ? `${e.task}: ` : '';
          const styled =
            e.level === 'error'
              ? c.red(`✖ ${tag}${e.message}`)
              : e.level === 'warn'
                ? c.yellow(`⚠ ${tag}${e.message}`)
                : c.dim(`  ${tag}${e.message}`);
          return printAbove(styled);
        }
        case 'command':
          if (opts.debug) printAbove(c.dim(`  $ ${formatArgv(e.argv)}`));
          return;
        case 'rollback-start':
          rollingBack = true;
          return printAbove(c.yellow(`↺ rolling back ${e.tasks} task(s)`));
        case 'undo':
          return printAbove(
            e.status === 'ok'
              ? `${c.yellow('↺')} ${e.id}`
              : c.red(`✖ undo ${e.id} failed: ${e.error ?? 'unknown error'}`),
          );
        case 'rollback-end':
          rollingBack = false;
          return printAbove(e.ok ? c.yellow('↺ rollback complete') : c.red('✖ rollback incomplete'));
        case 'artifact':
          return printAbove(`${c.green('→')} ${e.artifact.kind}: ${describeArtifact(e.artifact)}`);
      }
    },
    close() {
      if (pending) clearTimeout(pending);
      if (ticker) clearInterval(ticker);
      pending = ticker = undefined;
      clear();
      closed = true;
    },
  };
}

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;
// eslint-disable-next-line no-control-regex
const ANSI_SPLIT = /(\x1b\[[0-9;]*[A-Za-z])/;

function visibleLength(s: string): number {
  return s.replace(ANSI, '').length;
}

/** Cuts to `max` visible characters, keeping escape codes so colors are closed properly. */
function truncate(s: string, max: number): string {
  let out = '';
  let visible = 0;
  for (const part of s.split(ANSI_SPLIT)) {
    if (part.startsWith('\x1b[')) out += part;
    else {
      const room = max - 1 - visible;
      if (room <= 0) continue;
      out += part.slice(0, room);
      visible += Math.min(room, part.length);
    }
  }
  return visible >= max - 1 ? `${out}…${ESC}0m` : out;
}
