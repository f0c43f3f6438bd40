/**
 * Patterns of manifest values that the build writes into the image or passes to other programs, for
 * the JSON schemas (core and plugins) and src/manifest/value-checks.ts: one rule, stated once.
 */
/** A host name (RFC 1123): dot-separated labels of letters, digits and inner hyphens, 63 each. */
export const HOSTNAME_PATTERN =
  '^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$';
/** language[_territory][.codeset][@modifier], or C / POSIX. */
export const LOCALE_PATTERN =
  '^[A-Za-z]{1,8}(_[A-Za-z0-9]{2,3})?(\\.[A-Za-z0-9-]{1,32})?(@[A-Za-z0-9]{1,32})?$';
export const CHARMAP_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$';
/** A tz database name (Area/Location...): no dots at all, so never `..`, never absolute. */
export const TIMEZONE_PATTERN = '^[A-Za-z0-9_+-]{1,64}(/[A-Za-z0-9_+-]{1,64}){0,3}$';
/** What useradd accepts without --badname, and no leading `-`. */
export const USERNAME_PATTERN = '^[a-z_][a-z0-9_-]{0,31}$';
/**
 * A Debian package name (policy 5.6.1), optionally `=version` or `/target-release`; the release may
 * hold manifest variables (`cloud-init/{system.release}-backports`), checked again once expanded.
 */
export const PACKAGE_PATTERN = '^[a-z0-9][a-z0-9+.-]+(=[A-Za-z0-9.+~:-]+|/[A-Za-z0-9.{}_-]+)?$';
/**
 * packages.install also takes the path of a .deb on this host (relative to the manifest), which is
 * copied into the image and installed by its absolute path there; never a leading `-`.
 */
export const INSTALL_PATTERN = `(${PACKAGE_PATTERN})|(^(?!-)[^\\0\\n\\r]+\\.deb$)`;
/** One fstab options field entry: comma-separated tokens, no blank, no newline, no `#`. */
export const MOUNTOPTS_PATTERN = '^[A-Za-z0-9_.=:/@+-]+(,[A-Za-z0-9_.=:/@+-]+)*$';
/** A named gpt partition is mounted at /<name>: relative, no `..`, no blanks. */
export const PARTITION_NAME_PATTERN = '^(?!.*(^|/)\\.\\.?(/|$))[A-Za-z0-9_.+-]+(/[A-Za-z0-9_.+-]+)*$';
/** A file name under /etc/apt/*.d/ (sources, preferences); manifest variables may be part of it. */
export const APT_FILE_NAME_PATTERN = '^[A-Za-z0-9_{][A-Za-z0-9_.{}-]*$';
/** Image (and AMI) names once expanded: AMI names are 3 to 128 characters; also a file name here. */
export const NAME_MAX = 128;
/** The name before its variables expand: the same charset plus `{variable}` and `{%Y}`. */
export const NAME_PATTERN = '^[A-Za-z0-9{][A-Za-z0-9._+@(){}%-]*$';
