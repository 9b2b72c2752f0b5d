import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { SaxesParser, type SaxesAttributeNS } from 'saxes';
import { PanoError } from '../../../common/errors.js';

/**
 * Namespace-aware XML reading on saxes, a streaming parser that checks well-formedness (XML 1.0 and
 * Namespaces in XML) and resolves every element's namespace URI in the same single pass. The result is a
 * small tree of XNodes, so callers match elements by namespace URI and local name, never by prefix:
 * "cbc:ID", "ns3:ID" and a default-namespace "ID" read the same.
 */

/** A file that is not well-formed XML (or not text at all). The message is the parser's, with position. */
export class XmlFormatError extends PanoError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'xml_malformed', cause });
  }
}

type Attributes = Record<string, SaxesAttributeNS>;

export class XNode {
  /** Child elements, in document order. */
  readonly kids: XNode[] = [];
  /** Text directly inside this element (not inside its children); entities and character references decoded. */
  body = '';

  constructor(
    readonly ns: string,
    readonly local: string,
    /** The name as written, prefix included (for messages). */
    readonly qname: string,
    private readonly attrs: Attributes | null,
  ) {}

  /** Trimmed text content ('' for an empty element). */
  text(): string {
    return this.body.trim();
  }

  /** An attribute by local name (unprefixed, as UBL's schemeID, currencyID, unitCode are). */
  attr(name: string): string | undefined {
    const attrs = this.attrs;
    if (!attrs) return undefined;
    const v = attrs[name];
    if (v !== undefined) return v.value.trim();
    for (const k in attrs) {
      const a = attrs[k];
      if (a.local === name && a.prefix !== '' && a.prefix !== 'xmlns') return a.value.trim();
    }
    return undefined;
  }

  // Lookups scan the children: UBL elements have a few to a few dozen, and a scan allocates nothing
  // (an index per element cost more than it saved).

  /** Child elements with this namespace URI and local name, in document order. */
  children(ns: string, local: string): XNode[] {
    const out: XNode[] = [];
    for (const k of this.kids) if (k.local === local && k.ns === ns) out.push(k);
    return out;
  }

  child(ns: string, local: string): XNode | undefined {
    for (const k of this.kids) if (k.local === local && k.ns === ns) return k;
    return undefined;
  }

  /** Text of the first matching child, trimmed; undefined when there is no such child. */
  childText(ns: string, local: string): string | undefined {
    return this.child(ns, local)?.text();
  }

  /** Descendants (not this node) with this namespace and local name, depth first; does not enter matches. */
  descendants(ns: string, local: string, out: XNode[] = []): XNode[] {
    for (const k of this.kids) {
      if (k.ns === ns && k.local === local) out.push(k);
      else k.descendants(ns, local, out);
    }
    return out;
  }
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
        lt >= 0 &&
        gt > at &&
        out[lt + 1] !== '/' &&
        /^<(?:[A-Za-z_][\w.\-]*:)?$/.test(out.slice(lt, at)) &&
        /^(?:\s|>|\/)/.test(out[at + name.length]) &&
        out[gt - 1] !== '/';
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

/** True when a parser position is at the very end of the text (within a few characters). */
function endsThere(xml: string, line: number, col: number): boolean {
  const body = xml.trimEnd();
  const lastLine = body.slice(body.lastIndexOf('\n') + 1);
  return line === countNewlines(body) + 1 && col >= lastLine.length - 2;
}

function countNewlines(s: string): number {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n++;
  return n;
}

/** saxes says "3:14: unbound namespace prefix: "foo"."; Pano says what and where, in its own words where it helps. */
function formatSaxesError(
  xml: string,
  parser: SaxesParser<{ xmlns: true; position: true }>,
  e: Error,
  lastClosed: XNode | undefined,
  atEnd: boolean,
): XmlFormatError {
  let msg = e.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
  if (msg === 'unexpected close tag' || msg.startsWith('unmatched closing tag')) {
    const at = xml.lastIndexOf('</', parser.position);
    const written = at >= 0 ? /^<\/([^\s>]*)/.exec(xml.slice(at, at + 200))?.[1] : undefined;
    msg =
      msg === 'unexpected close tag' && lastClosed
        ? `closing tag </${written ?? '?'}> where </${lastClosed.qname}> was expected`
        : `closing tag </${written ?? '?'}> without an open element of that name`;
  }
  const prefix = /^unbound namespace prefix: "(.*)"$/.exec(msg);
  if (prefix) {
    // the tag being opened (saxes keeps it on the parser while it resolves the tag's names)
    const tag = (parser as unknown as { tag?: { name?: string } }).tag?.name;
    msg = `namespace prefix "${prefix[1]}"${tag ? ` of element <${tag}>` : ''} is not declared`;
  }
  const { line, column } = parser;
  const cut = atEnd && endsThere(xml, line, column) ? ' — the file ends there: cut off?' : '';
  return new XmlFormatError(`${msg} (line ${line}, column ${column})${cut}`, e);
}

/**
 * Parses well-formed XML into its root element (saxes refuses a text with no root or a second one; comments,
 * processing instructions and the declaration are skipped). Not well-formed → XmlFormatError with the parser's message, line and column;
 * a file that ends inside open elements is named as cut off, with the elements left open.
 */
export function parseXml(xml: string): XNode {
  if (xml.trim() === '') throw new XmlFormatError('the file is empty');
  const parser = new SaxesParser({ xmlns: true, position: true });
  let root: XNode | undefined;
  const open: XNode[] = [];
  let top: XNode | undefined;
  let lastClosed: XNode | undefined;
  let closing = false; // errors found by close() are about the end of the text (e.g. a comment left open)
  parser.on('opentag', (t) => {
    let attrs: Attributes | null = null;
    for (const _ in t.attributes) {
      attrs = t.attributes;
      break;
    }
    const node = new XNode(t.uri, t.local, t.name, attrs);
    if (top) top.kids.push(node);
    else root = node;
    open.push(node);
    top = node;
  });
  parser.on('closetag', () => {
    lastClosed = open.pop();
    top = open[open.length - 1];
  });
  parser.on('text', (s) => {
    if (top) top.body += s;
  });
  parser.on('cdata', (s) => {
    if (top) top.body += s;
  });
  parser.on('error', (e) => {
    throw formatSaxesError(xml, parser, e, lastClosed, closing);
  });
  parser.write(xml);
  if (open.length > 0) {
    const names = open.map((n) => `<${n.qname}>`);
    const shown = names.length > 4 ? [...names.slice(0, 2), '…', ...names.slice(-2)] : names;
    const inTag = xml.lastIndexOf('<') > xml.lastIndexOf('>') ? ', in the middle of a tag' : '';
    throw new XmlFormatError(`the file ends before ${open.length} element(s) are closed (${shown.join(' > ')})${inTag}: cut off?`);
  }
  closing = true;
  parser.close();
  return root!; // close() has thrown if there was none
}
