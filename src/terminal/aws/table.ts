// `--output table` as AWS CLI v2 draws it (awscli/formatter.py TableFormatter, awscli/table.py MultiTable):
// sections per nested key, sorted columns, widths scaled to the terminal (80 columns when not a tty),
// turned vertical when too wide. Python's round() (half to even) decides the scaled widths.
import { pyCompare, pyStr, type Json } from './output';

interface Section {
  title: string;
  headers: string[];
  rows: string[][];
  indent: number;
  maxWidths: number[];
}

const newSection = (title = '', indent = 0): Section => ({ title, headers: [], rows: [], indent, maxWidths: [] });

/** East Asian wide and fullwidth characters take two columns, as get_text_length counts them. */
function textLength(s: string): number {
  let n = 0;
  for (const ch of s)
    n +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]|[\u{20000}-\u{3fffd}]/u.test(
        ch,
      )
        ? 2
        : 1;
  return n;
}

function updateWidths(s: Section, row: string[]) {
  if (!s.maxWidths.length) s.maxWidths = row.map(textLength);
  else row.forEach((el, i) => (s.maxWidths[i] = Math.max(textLength(el), s.maxWidths[i] ?? 0)));
}

/** Python 3 round(): halves go to the even neighbour. */
function pyRound(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

function columnWidths(s: Section, padding: number, maxWidth?: number): number[] {
  const unscaled = s.maxWidths.map((w) => w + padding);
  if (maxWidth === undefined || !unscaled.length) return unscaled;
  const factor = maxWidth / unscaled.reduce((a, b) => a + b, 0);
  const scaled = unscaled.map((w) => pyRound(factor * w));
  let off = scaled.reduce((a, b) => a + b, 0) - maxWidth;
  while (off !== 0) {
    const order = [...scaled.keys()];
    if (off < 0) order.reverse();
    for (const i of order) {
      if (off > 0) {
        scaled[i]!--;
        off--;
      } else {
        scaled[i]!++;
        off++;
      }
      if (off === 0) break;
    }
  }
  return scaled;
}

function totalWidth(s: Section): number {
  let total = columnWidths(s, 0).reduce((a, w) => a + w + 4, 0) + 2 + 2 * s.indent;
  return Math.max(textLength(s.title) + 2 + 2 * s.indent, total);
}

function centerText(text: string, length: number, left = '|', right = '|'): string {
  const len = textLength(text);
  const start = Math.floor(length / 2) - Math.floor(len / 2) - 1;
  const soFar = textLength(left) + start + len;
  return (
    left + ' '.repeat(Math.max(0, start)) + text + ' '.repeat(Math.max(0, length - textLength(right) - soFar)) + right
  );
}

function alignLeft(text: string, length: number, left: string, right: string): string {
  const len = textLength(text);
  const padding = length - (len + 2 + left.length + right.length) >= 0 ? 2 : 0;
  const soFar = left.length + padding + len;
  return left + ' '.repeat(padding) + text + ' '.repeat(Math.max(0, length - soFar - right.length)) + right;
}

export function renderTable(title: string, data: Json, terminalWidth: number): string {
  const sections: Section[] = [];
  let current: Section | undefined;
  const newSec = (t: string, indent: number) => {
    current = newSection(t, indent);
    sections.push(current);
  };
  const addHeader = (h: string[]) => {
    updateWidths(current!, h);
    current!.headers = h;
  };
  const addRow = (r: Json[]) => {
    const row = r.map(pyStr);
    current!.rows.push(row);
    updateWidths(current!, row);
  };
  const scalar = (v: Json) => v === null || typeof v !== 'object';
  const group = (d: { [k: string]: Json }): [string[], string[]] => {
    const headers: string[] = [];
    const more: string[] = [];
    for (const k of Object.keys(d)) (scalar(d[k]!) ? headers : more).push(k);
    return [headers.sort(pyCompare), more.sort(pyCompare)];
  };
  const build = (t: string | undefined, cur: Json, indent = 0): boolean => {
    if (cur === null || cur === false || cur === 0 || cur === '' || (Array.isArray(cur) && !cur.length)) return false;
    if (typeof cur === 'object' && !Array.isArray(cur) && !Object.keys(cur).length) return false;
    if (t !== undefined) newSec(t, indent);
    if (Array.isArray(cur)) {
      if (cur[0] !== null && typeof cur[0] === 'object' && !Array.isArray(cur[0])) {
        const hs = new Set<string>();
        const ms = new Set<string>();
        for (const el of cur as { [k: string]: Json }[]) {
          const [h, m] = group(el);
          h.forEach((x) => hs.add(x));
          m.forEach((x) => ms.add(x));
        }
        const headers = [...hs].sort(pyCompare);
        const more = [...ms].sort(pyCompare);
        addHeader(headers);
        let first = true;
        for (const el of cur as { [k: string]: Json }[]) {
          if (!first && more.length) {
            newSec(t!, indent);
            addHeader(headers);
          }
          first = false;
          addRow(headers.map((h) => (h in el ? el[h]! : '')));
          for (const r of more) if (r in el) build(r, el[r]!, indent + 1);
        }
      } else {
        for (const item of cur) {
          if (scalar(item)) addRow([item]);
          else if (Array.isArray(item) && item.every(scalar)) addRow(item);
          else build(undefined, item);
        }
      }
    }
    if (cur !== null && typeof cur === 'object' && !Array.isArray(cur)) {
      const [headers, more] = group(cur);
      if (headers.length === 1) addRow([headers[0]!, cur[headers[0]!]!]);
      else if (headers.length) {
        addHeader(headers);
        addRow(headers.map((k) => cur[k]!));
      }
      for (const r of more) build(r, cur[r]!, indent + 1);
    }
    return true;
  };
  if (!build(title, data)) return '';

  let maxWidth = Math.max(...sections.map(totalWidth));
  if (maxWidth > terminalWidth) {
    sections.forEach((s, i) => {
      if (s.rows.length === 1 && s.headers.length) {
        const v = newSection(s.title, s.indent);
        s.headers.forEach((h, j) => {
          const row = [h, s.rows[0]![j]!];
          v.rows.push(row);
          updateWidths(v, row);
        });
        sections[i] = v;
      }
    });
    maxWidth = Math.max(...sections.map(totalWidth));
  }
  let out = '-'.repeat(maxWidth) + '\n';
  const lineBreak = (widths: number[]) =>
    widths.map((w, i) => (i === 0 ? `+${'-'.repeat(w - 2)}+` : `${'-'.repeat(w - 1)}+`)).join('') + '\n';
  for (const s of sections) {
    const lead = '|'.repeat(s.indent);
    const write = (line: string) => (out += lead + line.replace(/\n$/, '') + lead + '\n');
    const width = maxWidth - s.indent * 2;
    if (s.title) {
      write(centerText(s.title, width) + '\n');
      if (!s.headers.length && !s.rows.length) write(`+${'-'.repeat(width - 2)}+\n`);
    }
    if (s.headers.length) {
      const widths = columnWidths(s, 4, width);
      write(lineBreak(widths));
      write(widths.map((w, i) => centerText(s.headers[i] ?? '', w, i === 0 ? '|' : '', '|')).join('') + '\n');
    }
    if (s.rows.length) {
      const widths = columnWidths(s, 4, width);
      if (!widths.length) continue;
      write(lineBreak(widths));
      for (const row of s.rows)
        write(widths.map((w, i) => alignLeft(row[i] ?? '', w, i === 0 ? '|' : '', '|')).join('') + '\n');
      write(lineBreak(widths));
    }
  }
  return out;
}
