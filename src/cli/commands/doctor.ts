/**
 * `bootstrap doctor [MANIFEST...] [--fix]`: reports whether this host can build (root, loop devices,
 * the host commands every planned task declares) and with --fix installs the missing Debian packages.
 */
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { makePlan } from '../../core/make-plan.js';
import {
  checkEmulation,
  emulationCommands,
  formatEmulationProblems,
  needsEmulation,
  setupEmulation,
} from '../../host/foreign-arch.js';
import {
  BASELINE_PACKAGES,
  COMMAND_PACKAGES,
  findCommand,
  findMissingCommands,
  formatMissing,
} from '../../host/host-commands.js';
import { EXIT_BUILD_FAILED, EXIT_OK } from '../exit-codes.js';
import { loadForCli } from '../load-for-cli.js';
import type { Output } from '../output.js';

export async function doctorCommand(
  files: readonly string[],
  opts: { fix?: boolean },
  out: Output,
): Promise<number> {
  const needs = new Map<string, string[]>();
  // Without a manifest, check what a usual build of the shipped manifests needs.
  const baselineCommands = Object.entries(COMMAND_PACKAGES).filter(([, pkg]) =>
    BASELINE_PACKAGES.includes(pkg),
  );
  for (const [command] of baselineCommands) needs.set(command, ['(baseline)']);
  // Architectures the manifests build that this host runs only through qemu-user (file for the hint).
  const foreign = new Map<string, string>();
  for (const file of files) {
    const manifest = await loadForCli(file, out);
    const { plan } = makePlan(manifest);
    for (const { task } of plan.tasks) {
      for (const c of task.hostCommands ?? [])
        needs.set(c, [...(needs.get(c) ?? []).filter((x) => x !== '(baseline)'), task.id]);
    }
    const arch = manifest.data.system.architecture;
    if (needsEmulation(arch)) {
      if (!foreign.has(arch)) foreign.set(arch, file);
      for (const c of emulationCommands(arch, manifest.data.bootstrapper.tool))
        needs.set(c, [...(needs.get(c) ?? []).filter((x) => x !== '(baseline)'), `(${arch} on this host)`]);
    }
  }
  let ok = true;
  const root = process.getuid?.() === 0;
  out.out(
    `${root ? 'ok  ' : 'FAIL'} running as root${root ? '' : ' (builds need root; plan and validate do not)'}`,
  );
  ok &&= root;
  const loop = await access('/dev/loop-control').then(
    () => true,
    () => false,
  );
  out.out(`${loop ? 'ok  ' : 'FAIL'} loop devices (/dev/loop-control)`);
  ok &&= loop;
  const nodeMajor = Number(process.versions.node.split('.')[0]);
  out.out(`${nodeMajor >= 22 ? 'ok  ' : 'FAIL'} Node.js ${process.versions.node} (22 or newer)`);
  ok &&= nodeMajor >= 22;
  let missing = await findMissingCommands(needs);
  out.out(missing.length === 0 ? `ok   ${needs.size} host commands found` : formatMissing(missing));
  if (missing.length > 0 && opts.fix) {
    const pkgs = [...new Set(missing.flatMap((m) => (m.package ? [m.package] : [])))];
    out.out(`installing: ${pkgs.join(' ')}`);
    const env = { DEBIAN_FRONTEND: 'noninteractive' };
    await execa('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    await execa('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], {
      stdio: 'inherit',
      env,
    });
    missing = await findMissingCommands(needs);
    out.out(missing.length === 0 ? 'ok   all host commands found' : formatMissing(missing));
  }
  for (const [arch, file] of foreign) ok = (await checkForeign(arch, file, Boolean(opts.fix), out)) && ok;
  if (files.length === 0) {
    // Not a failure: only arm64 manifests need it, and doctor with one of them sets it up.
    const arm64 = await checkEmulation('arm64');
    if (arm64.needed) {
      out.out(
        arm64.problems.length === 0
          ? `ok   arm64 images: ${arm64.entry} registered with binfmt_misc (emulated builds)`
          : `--   arm64 images: not set up (${arm64.problems.join('; ')}); ` +
              '`bootstrap doctor --fix manifests/debian-qemu-arm64.yml` sets it up',
      );
    }
  }
  return ok && missing.length === 0 ? EXIT_OK : EXIT_BUILD_FAILED;
}

/** Emulation of a foreign architecture (src/host/foreign-arch.ts): reported, and set up with --fix. */
async function checkForeign(arch: string, file: string, fix: boolean, out: Output): Promise<boolean> {
  let status = await checkEmulation(arch);
  if (status.problems.length > 0 && fix) {
    try {
      const done = await setupEmulation(arch, {
        run: (argv) => execa(argv[0] as string, argv.slice(1)),
        findCommand: (c) => findCommand(c),
      });
      for (const line of done) out.out(`fixed: ${line}`);
    } catch (error) {
      out.out(`FAIL ${error instanceof Error ? error.message : String(error)}`);
    }
    status = await checkEmulation(arch);
  }
  out.out(
    status.problems.length === 0
      ? `ok   ${arch} programs run through qemu-user (${status.entry} registered with binfmt_misc, flag F)`
      : `FAIL ${formatEmulationProblems(status, file)}`,
  );
  return status.problems.length === 0;
}
