/** Mount points below a directory, read from mountinfo; the parsing is src/api/mountinfo.ts's. */
import { mountPointsBelow, readMountinfo } from '../../api/mountinfo.js';

export { isAtOrBelow } from '../../api/mountinfo.js';

/** Mount points strictly below `dir`, deepest first (the order to unmount them in). */
export async function mountsBelow(dir: string, mountinfoPath?: string): Promise<string[]> {
  return mountPointsBelow(await readMountinfo(mountinfoPath), dir);
}
