/**
 * bootstrap-vz splits the locale into `system.locale` (en_US) and `system.charmap` (UTF-8); glibc wants
 * `en_US.UTF-8` in /etc/default/locale and `en_US.UTF-8 UTF-8` in /etc/locale.gen.
 */
import type { Manifest } from '../../api/index.js';
import { checkValue } from './image-paths.js';

export interface LocaleChoice {
  /** Value for LANG. */
  readonly lang: string;
  /** Line for /etc/locale.gen, or undefined when nothing must be generated (C / POSIX). */
  readonly localeGenLine?: string;
}

export function isCLocale(locale: string): boolean {
  return locale === 'C' || locale === 'POSIX' || /^C\./.test(locale);
}

export function localeChoice(manifest: Manifest): LocaleChoice {
  const locale = checkValue('system.locale', manifest.data.system.locale, /^[A-Za-z0-9_@.-]+$/);
  const charmap = checkValue('system.charmap', manifest.data.system.charmap, /^[A-Za-z0-9_-]+$/);
  if (isCLocale(locale)) {
    // C.UTF-8 is built into glibc (libc-bin) since bookworm and shipped in libc-bin before: no locales needed.
    const lang = locale.includes('.') ? locale : /^utf-?8$/i.test(charmap) ? 'C.UTF-8' : locale;
    return { lang };
  }
  const lang = locale.includes('.') ? locale : `${locale}.${charmap}`;
  return { lang, localeGenLine: `${lang} ${charmap}` };
}
