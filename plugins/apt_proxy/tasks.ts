/** The apt_proxy plugin's tasks: check the proxy, point apt at it, and take it out of the image. */
import {
  BuildError,
  defineTask,
  imageRoot,
  INSTALL_PACKAGES_AFTER_BOOTSTRAP,
  type TaskContext,
} from '../../src/api/index.js';
import { PROXY_CONF, proxyUrl, renderProxyConf, type AptProxySettings } from './proxy-config.js';
import { probeHttp } from './reachability.js';

function settings(ctx: TaskContext): AptProxySettings {
  const s = ctx.manifest.pluginSettings<AptProxySettings>('apt_proxy');
  if (!s) throw new BuildError('plugins.apt_proxy is not set');
  return s;
}

function confPath(ctx: TaskContext): string {
  return `${imageRoot(ctx)}${PROXY_CONF}`;
}

export const checkAptProxy = defineTask({
  id: 'apt_proxy/check-proxy',
  phase: 'validation',
  description: 'Check that the apt proxy answers',
  async run(ctx) {
    if (ctx.dryRun) return;
    const url = proxyUrl(settings(ctx));
    const result = await probeHttp(url, 5000, ctx.signal);
    if (result.ok) ctx.log('debug', `apt proxy ${url} answered with HTTP ${result.status}`);
    else
      ctx.log('warn', `the apt proxy ${url} cannot be reached (${result.reason}); apt-get commands may fail`);
  },
});

export const writeAptProxy = defineTask({
  id: 'apt_proxy/write-config',
  phase: 'package-installation',
  description: 'Send apt through the proxy (/etc/apt/apt.conf.d/02proxy)',
  before: ['base/apt-update', 'base/apt-upgrade', 'base/install-packages'],
  async run(ctx) {
    const s = settings(ctx);
    const path = confPath(ctx);
    await ctx.fs.mkdir(path.slice(0, path.lastIndexOf('/')));
    // With credentials in it, only root may read the file (apt runs as root during the build).
    const mode = s.username !== undefined && s.password !== undefined ? 0o600 : 0o644;
    await ctx.fs.writeFile(path, renderProxyConf(s), { mode });
  },
});

export const removeAptProxy = defineTask({
  id: 'apt_proxy/remove-config',
  phase: 'system-cleaning',
  description: 'Remove the apt proxy configuration from the image',
  // Every apt run of the build is over by then; base/clean-apt only deletes files.
  after: ['base/clean-apt'],
  async run(ctx) {
    await ctx.fs.remove(confPath(ctx));
  },
});

/**
 * The proxy setting exists in the image only after the bootstrap: packages mmdebstrap installed with
 * the base system would never go through it, so they are installed afterwards with apt instead.
 */
export const deferPackagesToProxy = defineTask({
  id: 'apt_proxy/defer-packages',
  phase: 'preparation',
  description: 'Install the manifest packages after the bootstrap, through the proxy',
  run(ctx) {
    ctx.state.set(INSTALL_PACKAGES_AFTER_BOOTSTRAP, true);
    return Promise.resolve();
  },
});
