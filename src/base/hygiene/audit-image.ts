/**
 * System cleaning, last: scan the files a booting image reads first for build-host details: a loop
 * device path (the image would not find its root), the workspace path, the build host's name. Fails
 * the build naming file:line for every finding, so a leak is caught here and not at first boot.
 * The host name check is skipped for generic names (localhost, debian) and when the manifest asked
 * for the same name.
 */
import { lstat } from 'node:fs/promises';
import { hostname as osHostname } from 'node:os';
import { BuildError, type Task } from '../../api/index.js';
import { buildPaths } from '../bootloader/update-grub.js';
import { imageHostname } from '../system/set-hostname.js';
import { imageRoot, inImage } from '../system/image-paths.js';
import { listDir } from './list-dir.js';
import {
  formatLeak,
  hostnameNeedle,
  LOOP_DEVICE,
  pathNeedle,
  scanForLeaks,
  type Needle,
} from './scan-leaks.js';

export const AUDITED_FILES = [
  '/etc/fstab',
  '/etc/hostname',
  '/etc/hosts',
  '/etc/resolv.conf',
  '/etc/default/grub',
  '/boot/grub/grub.cfg',
  '/boot/efi/EFI/debian/grub.cfg',
  '/boot/extlinux/extlinux.conf',
];

const GENERIC_HOSTNAMES = new Set(['localhost', 'localhost.localdomain', 'debian']);

/** Image paths to audit: the fixed list plus the GRUB drop-ins. */
async function auditedFiles(root: string): Promise<string[]> {
  const dropIns = (await listDir(inImage(root, '/etc/default/grub.d')))
    .filter((e) => e.kind === 'file' && e.name.endsWith('.cfg'))
    .map((e) => `/etc/default/grub.d/${e.name}`);
  return [...AUDITED_FILES, ...dropIns];
}

export function hostNeedles(hostHostname: string, imageName: string): Needle[] {
  const short = hostHostname.split('.')[0] ?? hostHostname;
  const names = new Set([hostHostname, short].map((n) => n.toLowerCase()));
  const image = imageName.toLowerCase();
  return [...names]
    .filter((n) => n.length > 0 && !GENERIC_HOSTNAMES.has(n) && n !== image && n !== image.split('.')[0])
    .map(hostnameNeedle);
}

export function createAuditImageTask(deps: { hostHostname?: string } = {}): Task {
  return {
    id: 'base/audit-image',
    phase: 'system-cleaning',
    description: 'Check the image for build-host paths and names',
    after: [
      'base/remove-ssh-host-keys',
      'base/reset-machine-id',
      'base/clean-apt',
      'base/truncate-logs',
      'base/remove-shell-histories',
      'base/reset-resolv-conf',
      'base/remove-policy-rc-d',
      'base/clean-tmp',
    ],
    async run(ctx) {
      if (ctx.dryRun) return;
      const root = imageRoot(ctx);
      const needles = [
        LOOP_DEVICE,
        ...buildPaths(ctx, root).map((p) => pathNeedle('build workspace path', p)),
        ...hostNeedles(deps.hostHostname ?? osHostname(), imageHostname(ctx.manifest)),
      ];
      const findings: string[] = [];
      for (const file of await auditedFiles(root)) {
        const hostPath = inImage(root, file);
        // Regular files only: a symlink such as resolv.conf -> ../run/... would be read on the host.
        const stat = await lstat(hostPath).catch(() => undefined);
        if (!stat?.isFile()) continue;
        const text = await ctx.fs.readFile(hostPath);
        findings.push(...scanForLeaks(text, needles).map((leak) => formatLeak(file, leak)));
      }
      if (findings.length > 0) {
        throw new BuildError(
          `the image contains build-host details:\n${findings.join('\n')}`,
          'these files must name disks by UUID and must not mention the build host',
        );
      }
      ctx.log('info', 'image audit found no build-host paths or names');
    },
  };
}

export const auditImage: Task = createAuditImageTask();
