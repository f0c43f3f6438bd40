/** The volume toolkit: layout planning and the resources a build creates on the host. */
export * from './layout.js';
export * from './state-machine.js';
export * from './image-file.js';
export * from './loop-device.js';
export * from './partition-table.js';
export * from './format.js';
export * from './mounts.js';
export * from './host-filesystems.js';
export * from './convert.js';
export * from './wait.js';
