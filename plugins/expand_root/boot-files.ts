/**
 * The files expand_root puts in the image, as text: a script and the oneshot unit that runs it at
 * every boot. bootstrap-vz wrote the device and partition from the manifest into the unit, and its
 * older expand-root even wrote the BUILD host's device (/dev/xvdf instead of /dev/xvda, bug #304).
 * This script asks the booted system instead: findmnt gives the major:minor of the mounted root,
 * sysfs the partition number and the disk that holds it, whatever the hypervisor calls them.
 *
 * It runs at every boot, like bootstrap-vz's: a disk enlarged later is filled at the next boot, and
 * when there is nothing to do growpart says NOCHANGE (exit 1) and resize2fs/xfs_growfs do nothing.
 */
export const SCRIPT_PATH = '/usr/local/sbin/expand-root';
export const UNIT_NAME = 'expand-root.service';
export const UNIT_PATH = `/etc/systemd/system/${UNIT_NAME}`;
/** Read by cloud-init after 90_bootstrap.cfg (plugins.cloud_init's drop-in), so it wins. */
export const CLOUD_INIT_DROP_IN = '/etc/cloud/cloud.cfg.d/91_expand_root.cfg';

/**
 * EXPAND_ROOT_SYSFS exists for the unit tests, which run the script against a fake sysfs tree; the
 * unit never sets it.
 */
export const SCRIPT = `#!/bin/sh
# Written by bootstrap (plugins.expand_root). Grows the partition that holds / and its filesystem to
# the end of the disk. The partition is found at boot from the mounted root, never fixed at build time.
set -eu
sysfs=\${EXPAND_ROOT_SYSFS:-/sys}
found=$(findmnt --noheadings --raw --output MAJ:MIN,FSTYPE --mountpoint / | tail -n 1)
majmin=\${found%% *}
fstype=\${found#* }
node=$(readlink -f "$sysfs/dev/block/$majmin")
if [ ! -r "$node/partition" ]; then
  echo "expand-root: / ($majmin) is not on a disk partition; nothing to grow"
  exit 0
fi
partition=$(cat "$node/partition")
part_dev=/dev/$(basename "$node")
disk=/dev/$(basename "$(dirname "$node")")
echo "expand-root: growing partition $partition of $disk ($part_dev, $fstype)"
status=0
growpart "$disk" "$partition" || status=$?
case $status in
  0) ;;
  1) echo "expand-root: $part_dev already fills $disk" ;; # growpart's NOCHANGE
  *) exit "$status" ;;
esac
# Also when growpart changed nothing: an earlier boot may have grown the partition but not the filesystem.
case $fstype in
  ext2 | ext3 | ext4) resize2fs "$part_dev" ;;
  xfs) xfs_growfs / ;;
  *)
    echo "expand-root: cannot grow a $fstype filesystem" >&2
    exit 1
    ;;
esac
`;

/**
 * Ordered after the local filesystems (/ is read-write then) and wanted by multi-user.target, which
 * therefore waits for it. RemainAfterExit keeps it "active" so its success can be checked.
 */
export const UNIT = `# Written by bootstrap (plugins.expand_root).
[Unit]
Description=Grow the root partition and its filesystem to fill the disk
After=local-fs.target

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${SCRIPT_PATH}

[Install]
WantedBy=multi-user.target
`;

/**
 * With cloud_init enabled too, cloud-init's growpart and resizefs modules would grow the same
 * partition from another unit at the same time. expand_root owns the job; cloud-init is told not to.
 */
export const CLOUD_INIT_CONFIG = `# Written by bootstrap (plugins.expand_root): expand-root.service grows / instead of cloud-init.
growpart:
  mode: "off"
resize_rootfs: false
`;
