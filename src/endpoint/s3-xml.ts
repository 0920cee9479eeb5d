// The XML of the S3 REST API (Amazon S3 API Reference: request and response syntax of each action): a
// small parser for the request documents S3 takes (CreateBucketConfiguration, CompleteMultipartUpload,
// ServerSideEncryptionConfiguration), which are elements and text only, and a builder for responses.
// A service worker has no DOMParser, so this is written out; anything else in a document is MalformedXML.

import { MalformedXML } from '../s3';

export interface XmlElement {
  name: string;
  children: XmlElement[];
  text: string;
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (_m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    const v = ENTITIES[e];
    if (v === undefined) throw malformed();
    return v;
  });
}

const malformed = () =>
  new MalformedXML('The XML you provided was not well-formed or did not validate against our published schema');

/** Parses one XML document of elements and text (a declaration, comments and attributes are allowed and ignored).
 * @throws MalformedXML */
export function parseXml(text: string): XmlElement {
  const tokens = text.replace(/^\uFEFF/, '').match(/<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<[^>]*>|[^<]+/g) ?? [];
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  for (const t of tokens) {
    if (t.startsWith('<!--') || t.startsWith('<?')) continue;
    if (t.startsWith('</')) {
      const name = t.slice(2, -1).trim().replace(/^.*:/, '');
      const top = stack.pop();
      if (!top || top.name !== name) throw malformed();
      continue;
    }
    if (t.startsWith('<')) {
      const m = /^<([A-Za-z_][\w.:-]*)((?:\s+[\w.:-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>$/.exec(t);
      if (!m) throw malformed();
      const el: XmlElement = { name: m[1]!.replace(/^.*:/, ''), children: [], text: '' };
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw malformed();
      else root = el;
      if (!m[3]) stack.push(el);
      continue;
    }
    const top = stack[stack.length - 1];
    if (top) top.text += decodeEntities(t);
    else if (t.trim()) throw malformed();
  }
  if (!root || stack.length) throw malformed();
  return root;
}

/** The first child element named `name`. */
export const child = (el: XmlElement, name: string) => el.children.find((c) => c.name === name);
export const children = (el: XmlElement, name: string) => el.children.filter((c) => c.name === name);
export const childText = (el: XmlElement, name: string) => child(el, name)?.text.trim();

export function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&${{ '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot', "'": 'apos' }[c]};`);
}

/** A value for `el`: text, a nested element list, or absent (skipped). */
export type XmlValue = string | number | boolean | undefined | XmlNode[];
export type XmlNode = [name: string, value: XmlValue];

function render([name, v]: XmlNode): string {
  if (v === undefined) return '';
  const inner = Array.isArray(v) ? v.map(render).join('') : escapeXml(String(v));
  return `<${name}>${inner}</${name}>`;
}

export const S3_XMLNS = 'http://s3.amazonaws.com/doc/2006-03-01/';

/** A response document: the declaration and a root element in S3's namespace. */
export function xmlDocument(root: string, nodes: XmlNode[], xmlns = true): string {
  const open = xmlns ? `<${root} xmlns="${S3_XMLNS}">` : `<${root}>`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${open}${nodes.map(render).join('')}</${root}>`;
}
