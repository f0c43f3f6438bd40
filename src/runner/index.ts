/** Command runners and build filesystems: the only way tasks touch the host. */
export { createHostRunner, type HostRunnerOptions } from './host-runner.js';
export {
  createRecordingRunner,
  type RecordedCommand,
  type RecordingRunner,
  type RecordingRunnerOptions,
} from './recording-runner.js';
export { bindRunner, isBindable, type BindableRunner, type RunnerBinding } from './bound-runner.js';
export { createHostFs, createRecordingFs, type FsOperation, type RecordingFs } from './build-fs.js';
export { CHROOT_PATH, chrootArgv, sanitizedEnv } from './env.js';
