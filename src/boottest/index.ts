/** Boot tests: boot an image in QEMU against a local EC2 metadata service and check it. */
export { runBootTest, DEFAULT_TIMEOUT_SECONDS, type BootTestOptions } from './run-boot-test.js';
export type { GuestChecks, GuestShell } from './guest-session.js';
export { formatCheck, passed, writeBootReport, type BootTestReport } from './report.js';
export { startImdsServer, type ImdsRequest, type ImdsServer, type ImdsServerOptions } from './imds-server.js';
export { metadataTree, type InstanceIdentity } from './imds-data.js';
export type { CheckResult, CheckStatus } from './checks.js';
export { releaseGuestChecks, type ReleaseExpectations } from './release-checks.js';
export type { Accel, Firmware, GuestArch } from './qemu-argv.js';
