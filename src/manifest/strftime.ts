/**
 * The 23 strftime keys bootstrap-vz put into the manifest variables, as Python's strftime renders
 * them in the C locale. Times are UTC: bootstrap-vz used the naive local time (and so an empty %z and
 * %Z); a build's name should not depend on the build host's timezone, so %z is +0000 and %Z is UTC.
 */
export const TIME_KEYS = [
  '%a',
  '%A',
  '%b',
  '%B',
  '%c',
  '%d',
  '%f',
  '%H',
  '%I',
  '%j',
  '%m',
  '%M',
  '%p',
  '%S',
  '%U',
  '%w',
  '%W',
  '%x',
  '%X',
  '%y',
  '%Y',
  '%z',
  '%Z',
] as const;

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

const pad = (n: number, width = 2, fill = '0'): string => String(n).padStart(width, fill);

export function strftimeValues(now: Date): Record<(typeof TIME_KEYS)[number], string> {
  const Y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  const H = now.getUTCHours();
  const M = now.getUTCMinutes();
  const S = now.getUTCSeconds();
  const w = now.getUTCDay();
  const yday = Math.floor((Date.UTC(Y, m, d) - Date.UTC(Y, 0, 1)) / 86_400_000); // 0-based
  const day = DAYS[w] ?? '';
  const month = MONTHS[m] ?? '';
  const I = H % 12 === 0 ? 12 : H % 12;
  const time = `${pad(H)}:${pad(M)}:${pad(S)}`;
  return {
    '%a': day.slice(0, 3),
    '%A': day,
    '%b': month.slice(0, 3),
    '%B': month,
    '%c': `${day.slice(0, 3)} ${month.slice(0, 3)} ${pad(d, 2, ' ')} ${time} ${Y}`,
    '%d': pad(d),
    '%f': pad(now.getUTCMilliseconds() * 1000, 6),
    '%H': pad(H),
    '%I': pad(I),
    '%j': pad(yday + 1, 3),
    '%m': pad(m + 1),
    '%M': pad(M),
    '%p': H < 12 ? 'AM' : 'PM',
    '%S': pad(S),
    // Week numbers as C defines them: weeks start on Sunday (%U) or Monday (%W); days before the
    // first such day of the year are in week 0.
    '%U': pad(Math.floor((yday + 7 - w) / 7)),
    '%w': String(w),
    '%W': pad(Math.floor((yday + 7 - ((w + 6) % 7)) / 7)),
    '%x': `${pad(m + 1)}/${pad(d)}/${pad(Y % 100)}`,
    '%X': time,
    '%y': pad(Y % 100),
    '%Y': String(Y),
    '%z': '+0000',
    '%Z': 'UTC',
  };
}
