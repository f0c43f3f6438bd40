/**
 * Plugin `boot_test` (added): boots the finished image in QEMU with the boot-test checks right after it
 * is written and before any publishing step, so a broken image is never uploaded or registered.
 * It lives in src/ (not plugins/) because it drives the boot-test machinery, which is not public API.
 */
import {
  BuildError,
  definePlugin,
  defineTask,
  isFileBacking,
  journalHostDirectory,
  journalHostProcess,
  rawImageFile,
  VOLUME,
  type CloudJournal,
  type TaskContext,
} from '../api/index.js';
import { schema } from './boot-test-schema.js';
import { ec2ChecksFor } from './ec2-checks.js';
import { bootDefaults } from './manifest-defaults.js';
import { formatCheck } from './report.js';
import { runBootTest } from './run-boot-test.js';

// The schema has a file of its own so the plugin catalog (src/registry) loads it without this code.
export { schema };

/**
 * QEMU, swtpm and their temporary directory are not started through the command runner, so the runner
 * does not journal them: this does, so `bootstrap cleanup` stops and removes them after a SIGKILL of
 * the build. `release()` once the boot test has removed them itself.
 */
export function bootResourceJournal(journal: CloudJournal): {
  record(r: { pid?: number; pids?: readonly number[]; dir: string }): void;
  release(): Promise<void>;
} {
  const seen = new Set<string>();
  const keys: Promise<string | undefined>[] = [];
  return {
    record(r) {
      for (const pid of [r.pid, ...(r.pids ?? [])]) {
        if (pid === undefined || seen.has(`pid ${pid}`)) continue;
        seen.add(`pid ${pid}`);
        keys.push(journalHostProcess(journal, pid).catch(() => undefined));
      }
      if (!seen.has(`dir ${r.dir}`)) {
        seen.add(`dir ${r.dir}`);
        keys.push(journalHostDirectory(journal, r.dir).catch(() => undefined));
      }
    },
    async release() {
      for (const key of await Promise.all(keys)) if (key !== undefined) await journal.released(key);
    },
  };
}

interface BootTestSettings {
  readonly firmware?: 'bios' | 'uefi' | 'both';
  readonly timeout?: number;
  readonly imds?: 'v1' | 'v2';
}

function firmwares(ctx: TaskContext): ('bios' | 'uefi')[] {
  const s = ctx.manifest.pluginSettings<BootTestSettings>('boot_test') ?? {};
  if (s.firmware === 'both') return ['bios', 'uefi'];
  if (s.firmware) return [s.firmware];
  return ctx.manifest.data.system.boot_mode === 'hybrid'
    ? ['bios', 'uefi']
    : [bootDefaults(ctx.manifest).firmware];
}

export const bootImage = defineTask({
  id: 'boot_test/boot-image',
  phase: 'image-registration',
  description: 'Boot the image in QEMU and check it before it is published',
  after: ['base/export-image'],
  before: ['ec2/upload-snapshot', 'ec2/snapshot-volume', 'ec2/register-image', 'ec2/bundle-image'],
  hostCommands: ['qemu-img', 'qemu-system-x86_64', 'socat', 'ssh', 'ssh-keygen'],
  async run(ctx) {
    // The raw image (moved to the output by a raw export): QEMU and the image checks read it whatever
    // the output format.
    const volume = ctx.state.get(VOLUME);
    const image = volume ? rawImageFile(volume) : undefined;
    if (!image) throw new BuildError('boot_test needs an image file (volume.backing raw, qcow2...)');
    if (ctx.dryRun) return;
    const s = ctx.manifest.pluginSettings<BootTestSettings>('boot_test') ?? {};
    const defaults = bootDefaults(ctx.manifest);
    const ec2Checks = ec2ChecksFor(defaults.ec2);
    for (const firmware of firmwares(ctx)) {
      ctx.progress(0, undefined, undefined, `booting with ${firmware}`);
      const resources = bootResourceJournal(ctx.journal);
      const report = await runBootTest({
        image,
        firmware,
        arch: defaults.arch,
        runner: ctx.runner,
        signal: ctx.signal,
        timeoutSeconds: s.timeout ?? 300,
        user: defaults.user,
        imds: s.imds ?? 'v1',
        imageClaimsImdsV2: defaults.imageClaimsImdsV2,
        ...(defaults.expectSsh !== undefined ? { expectSsh: defaults.expectSsh } : {}),
        ...(ec2Checks ? { guestChecks: ec2Checks } : {}),
        onStatus: (message) => ctx.progress(0, undefined, undefined, `${firmware}: ${message}`),
        onResources: (r) => resources.record(r),
      }).finally(() => resources.release());
      for (const c of report.checks)
        ctx.log(c.status === 'fail' ? 'error' : 'info', `${firmware}: ${formatCheck(c)}`);
      const failed = report.checks.filter((c) => c.status === 'fail').map((c) => c.name);
      if (failed.length > 0) {
        throw new BuildError(
          `the image failed its ${firmware} boot test: ${failed.join(', ')}`,
          report.serialLog ? `serial log: ${report.serialLog}` : undefined,
        );
      }
    }
  },
});

export const bootTestPlugin = definePlugin({
  name: 'boot_test',
  kind: 'plugin',
  description: 'Boot the image in QEMU with checks before anything is published',
  schema,
  tasks: [bootImage],
  check(manifest, report) {
    const backing = manifest.data.volume.backing;
    if (!isFileBacking(backing)) {
      report.error(
        '/plugins/boot_test',
        `boot_test boots an image file; the ${backing} backing has none on this host`,
      );
    }
  },
  resolveTasks(_manifest, tasks) {
    tasks.add(bootImage);
  },
});
