/** Event sinks that turn build events into output: live terminal, plain lines, JSON lines. */
export { createTtyRenderer, type TtyRendererOptions } from './tty-renderer.js';
export { createPlainRenderer } from './plain-renderer.js';
export { createJsonLinesRenderer, type JsonLinesOptions } from './json-lines-renderer.js';
export { createTeeSink } from './tee-sink.js';
export { createColors, shouldColor, type ColorMode, type Colors } from './color.js';
export type { RenderStream, RendererOptions } from './format.js';
