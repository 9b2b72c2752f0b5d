import { XMLParser, XMLValidator, type X2jOptions } from 'fast-xml-parser';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { PanoError } from '../../../common/errors.js';

/**
 * Namespace-aware reading on top of fast-xml-parser, which keeps qualified names as written ("cbc:ID",
 * "ns3:ID", "ID"). An XNode resolves each prefix through the xmlns declarations in scope — on the element
 * itself and its ancestors — so callers match elements by namespace URI and local name, never by prefix.
 * Resolution is lazy: only the elements asked for are looked at.
 */

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';

/** A file that is not well-formed XML (or not text at all). The message is the parser's, with position. */
export class XmlFormatError extends PanoError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'xml_malformed', cause });
  }
}

type Scope = Readonly<Record<string, string>>;
/** fast-xml-parser's ordered form: `{ [qname]: children, ':@'?: attributes }` or a text node `{ '#text': … }`. */
type RawNode = Record<string, unknown>;

const ATTR = '@_';
const ATTRS = ':@';
const TEXT = '#text';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: ATTR,
  textNodeName: TEXT,
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  // Trimming and numeric character references are done in XNode.text(), only for the values read:
  // the parser runs a third faster without them.
  trimValues: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // Ordered output skips the parser's object-merging pass and keeps sibling order; no path strings per node.
  preserveOrder: true,
  jPath: false,
} as X2jOptions);

function tagOf(node: RawNode): string | null {
  for (const k in node) if (k !== ATTRS && k !== TEXT) return k;
  return null;
}

interface Kid {
  raw: RawNode;
  tag: string;
  colon: number;
}

export class XNode {
  /** Child elements by local name, built on first lookup (elements are looked up many times each). */
  private index: Map<string, Kid[]> | null = null;

  constructor(
    private readonly raw: RawNode,
    private readonly tag: string,
    private readonly scope: Scope,
    readonly ns: string,
    readonly local: string,
  ) {}

  private get kids(): RawNode[] {
    return (this.raw[this.tag] as RawNode[] | undefined) ?? [];
  }

  private byLocal(local: string): Kid[] | undefined {
    if (this.index === null) {
      this.index = new Map();
      for (const raw of this.kids) {
        const tag = tagOf(raw);
        if (tag === null) continue;
        const colon = tag.indexOf(':');
        const l = colon < 0 ? tag : tag.slice(colon + 1);
        const list = this.index.get(l);
        if (list) list.push({ raw, tag, colon });
        else this.index.set(l, [{ raw, tag, colon }]);
      }
    }
    return this.index.get(local);
  }

  /** Trimmed text content ('' for an empty element). */
  text(): string {
    let out = '';
    for (const k of this.kids) if (TEXT in k) out += String(k[TEXT]);
    if (out.includes('&#')) out = out.replace(/&#(x[0-9a-fA-F]+|[0-9]+);/g, (m, code: string) => decodeCharRef(m, code));
    return out.trim();
  }

  /** An attribute by local name (unprefixed, as UBL's schemeID, currencyID, unitCode are). */
  attr(name: string): string | undefined {
    const attrs = this.raw[ATTRS] as Record<string, unknown> | undefined;
    if (!attrs) return undefined;
    const v = attrs[ATTR + name];
    if (v !== undefined) return String(v).trim();
    for (const k in attrs) {
      if (k.endsWith(`:${name}`) && !k.startsWith(`${ATTR}xmlns`)) return String(attrs[k]).trim();
    }
    return undefined;
  }

  /** Child elements with this namespace URI and local name, in document order. */
  children(ns: string, local: string): XNode[] {
    const out: XNode[] = [];
    for (const k of this.byLocal(local) ?? []) {
      const node = this.resolve(k.raw, k.tag, k.colon);
      if (node.ns === ns) out.push(node);
    }
    return out;
  }

  child(ns: string, local: string): XNode | undefined {
    for (const k of this.byLocal(local) ?? []) {
      const node = this.resolve(k.raw, k.tag, k.colon);
      if (node.ns === ns) return node;
    }
    return undefined;
  }

  /** Text of the first matching child, trimmed; undefined when there is no such child. */
  childText(ns: string, local: string): string | undefined {
    return this.child(ns, local)?.text();
  }

  /** Every child element, whatever its name. */
  elements(): XNode[] {
    const out: XNode[] = [];
    for (const k of this.kids) {
      const tag = tagOf(k);
      if (tag !== null) out.push(this.resolve(k, tag, tag.indexOf(':')));
    }
    return out;
  }

  /** Descendants (not this node) with this namespace and local name, depth first; does not enter matches. */
  descendants(ns: string, local: string, out: XNode[] = []): XNode[] {
    for (const raw of this.kids) {
      const tag = tagOf(raw);
      if (tag === null) continue;
      const colon = tag.indexOf(':');
      const l = colon < 0 ? tag : tag.slice(colon + 1);
      if (l !== local && !hasElementChild(raw, tag)) continue; // a leaf that is not wanted: skip without resolving
      const el = this.resolve(raw, tag, colon);
      if (el.ns === ns && el.local === local) out.push(el);
      else el.descendants(ns, local, out);
    }
    return out;
  }

  private resolve(raw: RawNode, tag: string, colon: number): XNode {
    const prefix = colon < 0 ? '' : tag.slice(0, colon);
    const scope = extendScope(this.scope, raw[ATTRS] as Record<string, unknown> | undefined);
    const uri = scope[prefix];
    if (uri === undefined && prefix !== '') throw new XmlFormatError(`namespace prefix "${prefix}" of element <${tag}> is not declared`);
    return new XNode(raw, tag, scope, uri ?? '', colon < 0 ? tag : tag.slice(colon + 1));
  }

  /** The document node above the roots of a parsed file. */
  static document(roots: RawNode[]): XNode {
    return new XNode({ '#document': roots }, '#document', { xml: XML_NS }, '', '#document');
  }
}

function decodeCharRef(ref: string, code: string): string {
  const n = code[0] === 'x' ? parseInt(code.slice(1), 16) : parseInt(code, 10);
  return Number.isFinite(n) && n > 0 && n <= 0x10ffff ? String.fromCodePoint(n) : ref;
}

function hasElementChild(raw: RawNode, tag: string): boolean {
  const kids = raw[tag] as RawNode[] | undefined;
  if (!kids) return false;
  for (const k of kids) if (tagOf(k) !== null) return true;
  return false;
}

function extendScope(scope: Scope, attrs: Record<string, unknown> | undefined): Scope {
  if (!attrs) return scope;
  let next: Record<string, string> | null = null;
  for (const k in attrs) {
    if (!k.startsWith(`${ATTR}xmlns`)) continue;
    const rest = k.slice(ATTR.length + 5);
    if (rest !== '' && !rest.startsWith(':')) continue;
    next ??= { ...scope };
    const uri = String(attrs[k]);
    const prefix = rest === '' ? '' : rest.slice(1);
    if (uri === '' && prefix === '') delete next[''];
    else next[prefix] = uri;
  }
  return next ?? scope;
}

/**
 * Text of an XML file's bytes: a BOM decides (UTF-8, UTF-16 LE/BE); else the encoding named in the XML
 * declaration (e.g. ISO-8859-9, windows-1254); else UTF-8, which must then be valid.
 */
export function decodeXmlBytes(bytes: Buffer): string {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return strictUtf8(bytes.subarray(3));
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return iconv.decode(bytes.subarray(2), 'utf16le');
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return iconv.decode(bytes.subarray(2), 'utf16be');
  const head = bytes.subarray(0, 200).toString('latin1');
  const decl = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(head);
  const enc = decl?.[1].toLowerCase();
  if (enc && enc !== 'utf-8' && enc !== 'utf8') {
    if (!iconv.encodingExists(enc)) throw new XmlFormatError(`the XML declaration names an unknown encoding "${decl![1]}"`);
    return iconv.decode(bytes, enc);
  }
  return strictUtf8(bytes);
}

function strictUtf8(bytes: Buffer): string {
  if (!isUtf8(bytes)) throw new XmlFormatError('the file is not valid UTF-8 text (and declares no other encoding)');
  return bytes.toString('utf8');
}

/**
 * Empties the content of elements whose local name is given (e.g. EmbeddedDocumentBinaryObject, the
 * base64 XSLT every e-Fatura carries), keeping the line count, so the rest parses fast and the parser's
 * line numbers still point into the original file. Prefix-agnostic on purpose: it only drops bytes the
 * reader never keeps.
 */
export function emptyElements(xml: string, localNames: string[]): string {
  let out = xml;
  for (const name of localNames) {
    const parts: string[] = [];
    let from = 0;
    let at = out.indexOf(name);
    while (at >= 0) {
      const lt = out.lastIndexOf('<', at);
      const gt = out.indexOf('>', at);
      const opening =
        lt >= 0 && gt > at && out[lt + 1] !== '/' && /^<(?:[A-Za-z_][\w.\-]*:)?$/.test(out.slice(lt, at)) && /^(?:\s|>|\/)/.test(out[at + name.length]) && out[gt - 1] !== '/';
      if (!opening) {
        at = out.indexOf(name, at + name.length);
        continue;
      }
      const end = out.indexOf('<', gt + 1);
      if (end < 0) break;
      const body = out.slice(gt + 1, end);
      parts.push(out.slice(from, gt + 1), '\n'.repeat(countNewlines(body)));
      from = end;
      at = out.indexOf(name, end);
    }
    if (parts.length) {
      parts.push(out.slice(from));
      out = parts.join('');
    }
  }
  return out;
}

/**
 * fast-xml-parser reports a file that ends inside open elements as "Invalid '[ "Invoice", … ]' found.";
 * say what that means.
 */
function readableXmlError(msg: string): string {
  const m = /^Invalid '(\[[\s\S]*\])' found\.?$/.exec(msg);
  if (!m) return msg;
  try {
    // The last entry may be a tag cut in the middle of its name ("cbc:"): not an element.
    const open = (JSON.parse(m[1]) as string[]).filter((t) => t !== '' && !t.endsWith(':'));
    const shown = open.length > 4 ? [...open.slice(0, 2), '…', ...open.slice(-2)] : open;
    return `the file ends before ${open.length} element(s) are closed (${shown.map((t) => (t === '…' ? t : `<${t}>`)).join(' > ')}): cut off?`;
  } catch {
    return msg;
  }
}

/** True when a parser position is at the very end of the text (within a few characters). */
function endsThere(xml: string, line: number | undefined, col: number | undefined): boolean {
  if (!line || !col) return false;
  const body = xml.trimEnd();
  const lastLine = body.slice(body.lastIndexOf('\n') + 1);
  return line === countNewlines(body) + 1 && col >= lastLine.length - 2;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * Parses well-formed XML into its root XNode(s) (ignoring the declaration, processing instructions and
 * comments). Not well-formed → XmlFormatError with the parser's message, line and column.
 */
export function parseXml(xml: string): XNode[] {
  if (xml.trim() === '') throw new XmlFormatError('the file is empty');
  const v = XMLValidator.validate(xml, { allowBooleanAttributes: false });
  if (v !== true) {
    const { msg, line, col } = v.err;
    const readable = readableXmlError(msg);
    // For elements left open at the end the parser's position is meaningless (line 1, column 1).
    if (readable !== msg) throw new XmlFormatError(readable);
    const cut = !/>\s*$/.test(xml) ? ' — the file ends in the middle of a tag: cut off?' : endsThere(xml, line, col) ? ' — the file ends there: cut off?' : '';
    throw new XmlFormatError(`${msg}${line ? ` (line ${line}${col ? `, column ${col}` : ''})` : ''}${cut}`);
  }
  let doc: RawNode[];
  try {
    doc = parser.parse(xml) as RawNode[];
  } catch (e) {
    throw new XmlFormatError(e instanceof Error ? e.message : String(e), e);
  }
  return XNode.document(doc).elements();
}
