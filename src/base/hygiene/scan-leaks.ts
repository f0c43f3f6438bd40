/**
 * Finds build-host details in text that ships in the image: loop device paths, the workspace path,
 * the build host's name. Used by base/update-grub on grub.cfg and by base/audit-image on the files a
 * booted image reads first. A leak here is the classic "ALERT! /dev/loop0p1 does not exist" boot
 * failure, or a private path published in an AMI.
 */
export interface Needle {
  /** What to say in the error: "loop device path", "workspace path"... */
  readonly what: string;
  readonly pattern: RegExp;
}

export interface Leak {
  /** 1-based line number. */
  readonly line: number;
  readonly what: string;
  readonly match: string;
  readonly text: string;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export const LOOP_DEVICE: Needle = { what: 'build-host loop device path', pattern: /\/dev\/loop\d*(p\d+)?/ };

/** A literal path; a trailing slash is dropped so `/tmp/ws/` also matches `/tmp/ws` itself. */
export function pathNeedle(what: string, path: string): Needle {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path;
  return { what, pattern: new RegExp(`${escapeRegExp(trimmed)}(?![\\w.-])`) };
}

/** A hostname as a whole word (not inside a longer name). */
export function hostnameNeedle(hostname: string): Needle {
  return {
    what: 'build host name',
    pattern: new RegExp(`(?<![\\w.-])${escapeRegExp(hostname)}(?![\\w-])`, 'i'),
  };
}

export function scanForLeaks(text: string, needles: readonly Needle[]): Leak[] {
  const leaks: Leak[] = [];
  text.split('\n').forEach((lineText, index) => {
    for (const needle of needles) {
      const match = needle.pattern.exec(lineText);
      if (match) leaks.push({ line: index + 1, what: needle.what, match: match[0], text: lineText.trim() });
    }
  });
  return leaks;
}

/** `/etc/fstab:3: build-host loop device path "/dev/loop0p1" in: /dev/loop0p1 / ext4 defaults 0 1` */
export function formatLeak(file: string, leak: Leak): string {
  return `${file}:${leak.line}: ${leak.what} "${leak.match}" in: ${leak.text}`;
}
