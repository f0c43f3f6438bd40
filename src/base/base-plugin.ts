/**
 * The base plugin: what every build does whatever the provider (bootstrap-vz's common task groups).
 * Workspace, the volume for file backings, bootstrap, apt, system configuration, bootloader and
 * hygiene. Providers add their volume for other backings (EBS) and their publishing steps.
 */
import { definePlugin, isFileBacking, type Manifest, type Task } from '../api/index.js';
import { aptTasks, selectAptTasks } from './apt/index.js';
import { bootloaderTasks, selectBootloaderTasks } from './bootloader/index.js';
import { bootstrapTasks, selectBootstrapTasks } from './bootstrap/index.js';
import { hygieneTasks, selectHygieneTasks } from './hygiene/index.js';
import { selectSystemTasks, systemTasks } from './system/index.js';
import { checkBaseManifest } from './check-manifest.js';
import { checkRootSpace } from './space/check-root-space.js';
import { checkOutput, exportImage, replaceOutput } from './volume/export-image.js';
import { attachLoopDevice, createImageFile, detachLoopDevice } from './volume/image-file-tasks.js';
import { mountVolume, unmountVolume } from './volume/mount-tasks.js';
import { formatPartitions, partitionVolume } from './volume/partition-tasks.js';
import { planVolume } from './volume/plan-volume.js';
import { createWorkspace, deleteWorkspace } from './workspace/workspace-tasks.js';

const volumeTasks: readonly Task[] = [
  planVolume,
  partitionVolume,
  formatPartitions,
  mountVolume,
  unmountVolume,
];
const fileVolumeTasks: readonly Task[] = [
  checkOutput,
  createImageFile,
  attachLoopDevice,
  detachLoopDevice,
  exportImage,
  replaceOutput,
];

function selectVolumeTasks(manifest: Manifest): Task[] {
  return [...volumeTasks, ...(isFileBacking(manifest.data.volume.backing) ? fileVolumeTasks : [])];
}

export const basePlugin = definePlugin({
  name: 'base',
  kind: 'plugin',
  description: 'What every build does: workspace, volume, bootstrap, apt, configuration, bootloader, hygiene',
  schema: {},
  tasks: [
    createWorkspace,
    deleteWorkspace,
    ...volumeTasks,
    ...fileVolumeTasks,
    ...bootstrapTasks,
    ...aptTasks,
    ...systemTasks,
    ...bootloaderTasks,
    ...hygieneTasks,
  ],
  check: checkBaseManifest,
  preflight: checkRootSpace,
  resolveTasks(manifest, tasks) {
    tasks.add(
      createWorkspace,
      deleteWorkspace,
      ...selectVolumeTasks(manifest),
      ...selectBootstrapTasks(manifest),
      ...selectAptTasks(manifest),
      ...selectSystemTasks(manifest),
      ...selectBootloaderTasks(manifest),
      ...selectHygieneTasks(manifest),
    );
  },
});
