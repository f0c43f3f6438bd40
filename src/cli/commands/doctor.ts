/**
 * `bootstrap doctor [MANIFEST...] [--fix]`: reports whether this host can build (root, loop devices,
 * the host commands every planned task declares) and with --fix installs the missing Debian packages.
 */
import { access } from 'node:fs/promises';
import { execa } from 'execa';
import { makePlan } from '../../core/make-plan.js';
import {
  BASELINE_PACKAGES,
  COMMAND_PACKAGES,
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
  for (const file of files) {
    const { plan } = makePlan(await loadForCli(file, out));
    for (const { task } of plan.tasks) {
      for (const c of task.hostCommands ?? [])
        needs.set(c, [...(needs.get(c) ?? []).filter((x) => x !== '(baseline)'), task.id]);
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
  return ok && missing.length === 0 ? EXIT_OK : EXIT_BUILD_FAILED;
}
