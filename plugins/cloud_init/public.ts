/**
 * What cloud_init offers other plugins: Debian's default groups for the image's default user, which
 * ec2's init scripts give their admin user too so an image behaves the same with or without cloud-init.
 * Other plugins import this file only (eslint's layers rule), never cloud-cfg.ts itself.
 */
export { DEFAULT_GROUPS } from './cloud-cfg.js';
