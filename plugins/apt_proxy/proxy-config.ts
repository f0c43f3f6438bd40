/** The proxy URL and apt's configuration file for it (pure, unit-tested). */
export interface AptProxySettings {
  readonly address: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly persistent?: boolean;
}

/** Where the configuration goes in the image: bootstrap-vz's file name. */
export const PROXY_CONF = '/etc/apt/apt.conf.d/02proxy';

function host(address: string): string {
  return address.replace(/^http:\/\//, '');
}

/** `http://host:port`, without credentials: what the reachability check and messages use. */
export function proxyUrl(s: AptProxySettings): string {
  return `http://${host(s.address)}:${s.port}`;
}

/** True when both credentials are set: like bootstrap-vz, one without the other is ignored. */
export function hasCredentials(s: AptProxySettings): boolean {
  return s.username !== undefined && s.password !== undefined;
}

/** The URL apt uses, credentials percent-encoded so `@`, `:` or `/` in them cannot break it. */
export function aptProxyUrl(s: AptProxySettings): string {
  const auth = hasCredentials(s)
    ? `${encodeURIComponent(s.username ?? '')}:${encodeURIComponent(s.password ?? '')}@`
    : '';
  return `http://${auth}${host(s.address)}:${s.port}`;
}

/** Only http:// sources use the proxy, as in bootstrap-vz: a caching proxy cannot cache HTTPS. */
export function renderProxyConf(s: AptProxySettings): string {
  return `// Written by the image bootstrapper (plugins.apt_proxy).\nAcquire::http { Proxy "${aptProxyUrl(s)}"; };\n`;
}
