/** The public API: everything a plugin under plugins/<name>/ may import. */
export * from './phases.js';
export * from './runner.js';
export * from './events.js';
export * from './state.js';
export * from './manifest.js';
export * from './release.js';
export * from './task.js';
export * from './fs.js';
export * from './plugin.js';
export * from './size.js';
export * from './build-state.js';
export * from './password-hash.js';
export * from './tree-tar.js';
export * from './cloud-journal.js';
export * from './secrets.js';
export * from './value-patterns.js';
export * from './config-text.js';
