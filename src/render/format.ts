/** Formatting shared by the renderers. */
import type { Phase } from '../api/phases.js';
import { PHASES } from '../api/phases.js';

/** What a renderer writes to: a stream, or a fake in tests. */
export interface RenderStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface RendererOptions {
  /** Also show debug-level log messages and each command line. */
  readonly debug?: boolean;
}

export function phaseName(phase: Phase): string {
  return PHASES.find((p) => p.id === phase)?.name ?? phase;
}

export function formatSeconds(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)}s`;
  const m = Math.floor(seconds / 60);
  return `${m}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
}

/** `[#######.......] 45%` for a progress event with a known total. */
export function progressBar(done: number, total: number, width = 24): string {
  const ratio = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const filled = Math.round(ratio * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%`;
}

/** `120/260 MiB` or `120 packages`. */
export function progressCount(done: number, total: number | undefined, unit: string | undefined): string {
  const u = unit ? ` ${unit}` : '';
  return total !== undefined ? `${done}/${total}${u}` : `${done}${u}`;
}
