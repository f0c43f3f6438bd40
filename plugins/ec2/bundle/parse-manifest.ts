/**
 * Reads a bundle's `<prefix>.manifest.xml` (version 2007-10-10) strictly: a small XML reader that knows
 * elements, attributes, text and the five entities and refuses the rest (DOCTYPE, comments, CDATA,
 * processing instructions: no manifest writer emits them, and refusing DOCTYPE rules out entity tricks),
 * then the element tree checked against what ec2-bundle-image (ec2-ami-tools' ManifestV20071010),
 * euca2ools and manifest-xml.ts write. An element or attribute none of them writes, a missing or
 * repeated one, a part index out of place or a value of the wrong form is an error that names it.
 * The order of the elements is not checked: euca2ools puts <type> after <bundled_size>, Amazon's tools
 * after <user>.
 *
 * Each element keeps its byte span in the document, because the signature covers
 * <machine_configuration> followed by <image> exactly as written (read-bundle.ts verifies it).
 */

export class ManifestError extends Error {}

interface XmlElement {
  readonly name: string;
  readonly attrs: ReadonlyMap<string, string>;
  readonly children: readonly XmlElement[];
  readonly text: string;
  /** Offsets of `<name` and just after `</name>` in the document. */
  readonly start: number;
  readonly end: number;
}

const NAME = /[A-Za-z_][A-Za-z0-9_.-]*/y;
const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeText(raw: string, at: number): string {
  return raw.replace(/&([^;]*);?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new ManifestError(`bad '&' in the text at offset ${at}`);
    const named = ENTITIES[ref];
    if (named !== undefined) return named;
    const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
    if (!num) throw new ManifestError(`unknown entity &${ref}; at offset ${at}`);
    return String.fromCodePoint(num[1] !== undefined ? parseInt(num[1], 16) : Number(num[2]));
  });
}

/** Parses the document into its root element; anything outside plain elements and text is refused. */
export function parseXml(doc: string): XmlElement {
  let pos = 0;
  const fail = (what: string): never => {
    throw new ManifestError(`${what} at offset ${pos}`);
  };
  const skipSpace = (): void => {
    while (pos < doc.length && /\s/.test(doc[pos] ?? '')) pos++;
  };
  const name = (): string => {
    NAME.lastIndex = pos;
    const m = NAME.exec(doc);
    if (!m) return fail('expected a name');
    pos += m[0].length;
    return m[0];
  };

  function element(): XmlElement {
    const start = pos;
    pos++; // '<'
    const tag = name();
    const attrs = new Map<string, string>();
    for (;;) {
      const before = pos;
      skipSpace();
      if (doc.startsWith('/>', pos) || doc[pos] === '>') break;
      if (pos === before) fail(`expected an attribute or '>' in <${tag}>`);
      const attr = name();
      if (doc[pos] !== '=') fail(`expected '=' after ${attr}`);
      pos++;
      const quote = doc[pos];
      if (quote !== '"' && quote !== "'") return fail(`expected a quoted value for ${attr}`);
      const close = doc.indexOf(quote, pos + 1);
      if (close === -1) fail(`unterminated value of ${attr}`);
      const raw = doc.slice(pos + 1, close);
      if (raw.includes('<')) fail(`'<' in the value of ${attr}`);
      if (attrs.has(attr)) fail(`<${tag}> has ${attr} twice`);
      attrs.set(attr, decodeText(raw, pos));
      pos = close + 1;
    }
    if (doc.startsWith('/>', pos)) {
      pos += 2;
      return { name: tag, attrs, children: [], text: '', start, end: pos };
    }
    pos++; // '>'
    const children: XmlElement[] = [];
    let text = '';
    for (;;) {
      const lt = doc.indexOf('<', pos);
      if (lt === -1) fail(`<${tag}> is not closed`);
      text += decodeText(doc.slice(pos, lt), pos);
      pos = lt;
      if (doc.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        if (doc[pos] !== '>') fail(`expected '>' after </${closing}`);
        pos++;
        break;
      }
      if (doc.startsWith('<!', pos) || doc.startsWith('<?', pos))
        fail('a comment, DOCTYPE, CDATA section or processing instruction (no manifest has one)');
      children.push(element());
    }
    if (children.length > 0 && text.trim() !== '') fail(`<${tag}> mixes text and elements`);
    return { name: tag, attrs, children, text: children.length > 0 ? '' : text, start, end: pos };
  }

  if (doc.charCodeAt(0) === 0xfeff) pos = 1;
  if (doc.startsWith('<?xml', pos)) {
    const end = doc.indexOf('?>', pos);
    if (end === -1) fail('unterminated XML declaration');
    pos = end + 2;
  }
  skipSpace();
  if (doc[pos] !== '<' || doc.startsWith('<!', pos) || doc.startsWith('<?', pos))
    fail('expected the <manifest> element');
  const root = element();
  skipSpace();
  if (pos !== doc.length) fail('text after the root element');
  return root;
}

/** The shape of one element: its children (`*` = any number), attributes, or a text leaf. */
interface Shape {
  readonly children?: Readonly<
    Record<string, { readonly shape: Shape; readonly min: 0 | 1; readonly many?: true }>
  >;
  readonly attrs?: readonly string[];
}

const LEAF: Shape = {};
const one = (shape: Shape = LEAF) => ({ shape, min: 1 as const });
const opt = (shape: Shape = LEAF) => ({ shape, min: 0 as const });
const any = (shape: Shape = LEAF) => ({ shape, min: 0 as const, many: true as const });
const withAttrs = (...attrs: string[]): Shape => ({ attrs });

const MANIFEST_SHAPE: Shape = {
  children: {
    version: one(),
    bundler: opt({ children: { name: opt(), version: opt(), release: opt() } }),
    machine_configuration: opt({
      children: {
        architecture: opt(),
        block_device_mapping: opt({
          children: { mapping: any({ children: { virtual: one(), device: one() } }) },
        }),
        product_codes: opt({ children: { product_code: any() } }),
        kernel_id: opt(),
        ramdisk_id: opt(),
      },
    }),
    image: one({
      children: {
        name: one(),
        user: one(),
        type: one(),
        kernel_name: opt(),
        ancestry: opt({ children: { ancestor_ami_id: any() } }),
        digest: one(withAttrs('algorithm')),
        size: one(),
        bundled_size: one(),
        ec2_encrypted_key: one(withAttrs('algorithm')),
        user_encrypted_key: one(withAttrs('algorithm')),
        ec2_encrypted_iv: one(),
        user_encrypted_iv: one(),
        parts: one({
          attrs: ['count'],
          children: {
            part: any({
              attrs: ['index'],
              children: { filename: one(), digest: one(withAttrs('algorithm')) },
            }),
          },
        }),
      },
    }),
    signature: one(),
  },
};

function checkShape(el: XmlElement, shape: Shape, path: string): void {
  for (const attr of el.attrs.keys())
    if (!shape.attrs?.includes(attr)) throw new ManifestError(`${path} has an unknown attribute "${attr}"`);
  for (const attr of shape.attrs ?? [])
    if (!el.attrs.has(attr)) throw new ManifestError(`${path} lacks its "${attr}" attribute`);
  const allowed = shape.children;
  if (!allowed) {
    if (el.children.length > 0) throw new ManifestError(`${path} holds elements where text belongs`);
    return;
  }
  const seen = new Map<string, number>();
  for (const child of el.children) {
    const rule = allowed[child.name];
    if (!rule) throw new ManifestError(`${path} holds an unknown element <${child.name}>`);
    const count = (seen.get(child.name) ?? 0) + 1;
    if (count > 1 && !rule.many) throw new ManifestError(`${path} holds <${child.name}> twice`);
    seen.set(child.name, count);
    checkShape(child, rule.shape, `${path}/${child.name}`);
  }
  for (const [name, rule] of Object.entries(allowed))
    if (rule.min === 1 && !seen.has(name)) throw new ManifestError(`${path} lacks <${name}>`);
}

export interface ManifestPartEntry {
  readonly index: number;
  readonly filename: string;
  /** Lowercase hex SHA-1. */
  readonly sha1: string;
}

export interface ParsedManifest {
  readonly name: string;
  readonly user: string;
  readonly type: string;
  readonly architecture: string | undefined;
  /** Lowercase hex SHA-1 of the tar stream. */
  readonly digest: string;
  readonly size: number;
  readonly bundledSize: number;
  readonly userEncryptedKey: Buffer;
  readonly userEncryptedIv: Buffer;
  readonly parts: readonly ManifestPartEntry[];
  /** Bytes the signature covers: <machine_configuration> (when present) then <image>, as written. */
  readonly signedText: string;
  /** The hex signature, or undefined when the writer had no key (euca2ools writes UNSIGNED). */
  readonly signature: Buffer | undefined;
}

const child = (el: XmlElement, name: string): XmlElement | undefined =>
  el.children.find((c) => c.name === name);
const textOf = (el: XmlElement, name: string): string => (child(el, name)?.text ?? '').trim();

function hexValue(el: XmlElement, name: string, path: string): Buffer {
  const value = textOf(el, name);
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(value)) throw new ManifestError(`${path}/${name} is not hex`);
  return Buffer.from(value, 'hex');
}

function sha1Value(el: XmlElement, path: string): string {
  const digest = child(el, 'digest');
  const algorithm = digest?.attrs.get('algorithm') ?? '';
  if (algorithm.toUpperCase() !== 'SHA1')
    throw new ManifestError(`${path}/digest uses "${algorithm}"; bundles use SHA1`);
  const value = textOf(el, 'digest').toLowerCase();
  if (!/^[0-9a-f]{40}$/.test(value)) throw new ManifestError(`${path}/digest is not a SHA-1 hex digest`);
  return value;
}

function byteCount(el: XmlElement, name: string): number {
  const value = textOf(el, name);
  if (!/^\d{1,16}$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw new ManifestError(`manifest/image/${name} "${value}" is not a byte count`);
  return Number(value);
}

/** A part's file name: a plain name in the manifest's directory, never a path out of it. */
const PART_FILENAME = /^[A-Za-z0-9_+=,@-][A-Za-z0-9_.+=,@-]*$/;

export function parseBundleManifest(xml: string): ParsedManifest {
  const root = parseXml(xml);
  if (root.name !== 'manifest') throw new ManifestError(`the root element is <${root.name}>, not <manifest>`);
  checkShape(root, MANIFEST_SHAPE, 'manifest');
  const version = textOf(root, 'version');
  if (version !== '2007-10-10')
    throw new ManifestError(`manifest version "${version}"; this reader knows 2007-10-10 only`);
  const image = child(root, 'image') as XmlElement;
  for (const name of ['ec2_encrypted_key', 'user_encrypted_key']) {
    const algorithm = child(image, name)?.attrs.get('algorithm');
    if (algorithm?.toUpperCase() !== 'AES-128-CBC')
      throw new ManifestError(`manifest/image/${name} uses "${algorithm}"; bundles use AES-128-CBC`);
  }
  const partsEl = child(image, 'parts') as XmlElement;
  const partEls = partsEl.children;
  if (partsEl.attrs.get('count') !== String(partEls.length))
    throw new ManifestError(
      `manifest/image/parts says count="${partsEl.attrs.get('count')}" but lists ${partEls.length}`,
    );
  if (partEls.length === 0) throw new ManifestError('manifest/image/parts lists no part');
  const parts: ManifestPartEntry[] = [];
  for (const el of partEls) {
    const index = el.attrs.get('index') ?? '';
    if (!/^\d+$/.test(index) || Number(index) >= partEls.length)
      throw new ManifestError(`part index="${index}" is not one of 0..${partEls.length - 1}`);
    if (parts.some((p) => p.index === Number(index))) throw new ManifestError(`part index="${index}" twice`);
    const filename = textOf(el, 'filename');
    if (!PART_FILENAME.test(filename))
      throw new ManifestError(`part ${index}: "${filename}" is not a plain file name`);
    parts.push({
      index: Number(index),
      filename,
      sha1: sha1Value(el, `manifest/image/parts/part[${index}]`),
    });
  }
  parts.sort((a, b) => a.index - b.index);

  const mc = child(root, 'machine_configuration');
  const signatureText = textOf(root, 'signature');
  let signature: Buffer | undefined;
  if (signatureText !== 'UNSIGNED') signature = hexValue(root, 'signature', 'manifest');
  return {
    name: textOf(image, 'name'),
    user: textOf(image, 'user'),
    type: textOf(image, 'type'),
    architecture: mc ? textOf(mc, 'architecture') || undefined : undefined,
    digest: sha1Value(image, 'manifest/image'),
    size: byteCount(image, 'size'),
    bundledSize: byteCount(image, 'bundled_size'),
    userEncryptedKey: hexValue(image, 'user_encrypted_key', 'manifest/image'),
    userEncryptedIv: hexValue(image, 'user_encrypted_iv', 'manifest/image'),
    parts,
    signedText: (mc ? xml.slice(mc.start, mc.end) : '') + xml.slice(image.start, image.end),
    signature,
  };
}
