/**
 * Saving the bootstrapped tree as a tarball, and starting a later build from one instead of
 * bootstrapping (bootstrap-vz's CopyImage / CreateFromImage, with a tarball instead of an image).
 */
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BuildError,
  defineTask,
  imageRoot,
  mountPointsBelow,
  readMountinfo,
  stateKey,
  VOLUME,
} from '../../src/api/index.js';
import { inputTarball, outputTarball } from './settings.js';
import { tarCreateArgv, tarExtractArgv } from './tar-argv.js';

/** The partial file being written, so the undo removes it. */
const PARTIAL = stateKey<string | undefined>('prebootstrapped/partial', () => undefined);

export const checkTarball = defineTask({
  id: 'prebootstrapped/check-tarball',
  phase: 'validation',
  description: 'Check that the prebootstrapped tarball exists',
  async run(ctx) {
    const file = inputTarball(ctx.manifest);
    if (file === undefined) return;
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) {
      throw new BuildError(
        `plugins.prebootstrapped.tarball: ${file} is not a file`,
        'build once with `prebootstrapped: {}`: it saves <name>.prebootstrapped.tar next to the image',
      );
    }
  },
});

/** VERSION_CODENAME from an os-release file, if it has one (sid's may not). */
export function osReleaseCodename(text: string): string | undefined {
  const m = /^VERSION_CODENAME=["']?([^"'\n]*)["']?$/m.exec(text);
  return m?.[1] || undefined;
}

export const extractTarball = defineTask({
  id: 'prebootstrapped/extract-tarball',
  phase: 'os-installation',
  description: 'Unpack the prebootstrapped tarball instead of bootstrapping',
  hostCommands: ['tar', 'chroot'],
  async run(ctx) {
    const file = inputTarball(ctx.manifest);
    if (file === undefined) throw new BuildError('plugins.prebootstrapped.tarball is not set');
    const root = imageRoot(ctx);
    ctx.log('info', `unpacking ${file} instead of bootstrapping`);
    await ctx.runner.run(tarExtractArgv(file, root));
    // A tree of another release or architecture would be configured and shipped as this manifest's.
    const { codename } = ctx.manifest.release;
    const osRelease = await readFile(join(root, 'etc/os-release'), 'utf8').catch(() => '');
    const found = osReleaseCodename(osRelease);
    if (!ctx.dryRun && found !== undefined && found !== codename) {
      throw new BuildError(
        `${file} holds Debian ${found}, and the manifest builds ${codename}`,
        'point plugins.prebootstrapped.tarball at a tarball saved from a build of this release',
      );
    }
    const arch = ctx.manifest.data.system.architecture;
    const out = await ctx.runner.chroot(root, ['dpkg', '--print-architecture'], {
      dryRunResult: { stdout: arch },
    });
    if (out.stdout.trim() !== arch) {
      throw new BuildError(`${file} holds an ${out.stdout.trim()} system, and the manifest builds ${arch}`);
    }
  },
});

export const saveTarball = defineTask({
  id: 'prebootstrapped/save-tarball',
  phase: 'package-installation',
  description: 'Save the bootstrapped tree as a tarball next to the image, for later builds',
  // Before base/keep-build-dns copies the host's resolv.conf in: the tarball must not carry it.
  after: ['base/install-packages'],
  before: ['base/keep-build-dns'],
  hostCommands: ['tar'],
  async run(ctx) {
    const root = imageRoot(ctx);
    const out = outputTarball(ctx);
    const partial = `${out}.partial`;
    const volumeMounts = new Set(
      (ctx.state.get(VOLUME)?.partitions ?? []).flatMap((p) =>
        p.mountpoint && p.mountpoint !== '/' ? [join(root, p.mountpoint)] : [],
      ),
    );
    const mounts = ctx.dryRun ? [] : mountPointsBelow(await readMountinfo(), root);
    const foreign = mounts.filter((m) => !volumeMounts.has(m));
    if (foreign.length > 0) {
      // /proc, /dev... left mounted by a failed step would be archived with the host's contents.
      throw new BuildError(`not saving the tree: ${foreign.join(', ')} is mounted inside the image root`);
    }
    ctx.state.set(PARTIAL, partial);
    await ctx.runner.run(tarCreateArgv(root, partial, mounts));
    if (ctx.dryRun) return;
    await rename(partial, out);
    ctx.state.set(PARTIAL, undefined);
    const { size } = await stat(out);
    ctx.log(
      'info',
      `saved the bootstrapped tree to ${out}; start later builds from it with plugins.prebootstrapped.tarball`,
    );
    ctx.addArtifact({ kind: 'file', path: out, format: 'tar', sizeBytes: size, name: 'prebootstrapped' });
  },
  async undo(ctx) {
    // A finished tarball is kept: it is complete, and a failure in a later phase is when it helps.
    const partial = ctx.state.get(PARTIAL);
    if (partial !== undefined && !ctx.dryRun) await rm(partial, { force: true });
  },
});
