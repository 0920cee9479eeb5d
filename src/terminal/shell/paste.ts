// Text pasted from web pages, made what a careful copy would have typed: non-breaking and other
// typographic spaces separate words as a space does, typographic quotes and dashes that stand for
// shell quotes or `--` become ASCII, and every such quote/dash replacement is reported so the
// person sees that their text was changed (WordPress-style "smart" punctuation is the usual source).

/** U+00A0 NBSP, U+2000–U+200A typographic spaces, U+202F narrow NBSP, U+205F, U+3000. */
const SPACES = /[\u00a0\u2000-\u200a\u202f\u205f\u3000]/g;
/** Zero-width characters a careful copy never carries (ZWSP, ZWNJ, ZWJ, word joiner, BOM). */
const INVISIBLE = /[\u200b-\u200d\u2060\ufeff]/g;
const DOUBLE = /[\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb]/;
const LETTER = /\p{L}/u;
const OPTION_DASHES = /(^|[ \t])[-\u2013\u2014]*[\u2013\u2014][-\u2013\u2014]*(?=[A-Za-z])/g;

export interface Normalised {
  text: string;
  /** One line per replaced quote or dash, for standard error; empty when nothing but spaces changed. */
  notices: string[];
}

/**
 * Normalises one paste. A `’` between two letters is an apostrophe in prose (`it’s`) and stays, as it
 * would in bash; elsewhere single typographic quotes become `'`. An en or em dash that starts a word
 * and is followed by a letter or `-` stands for the `--` of an option.
 */
export function normalisePaste(input: string): Normalised {
  const text = input.replace(SPACES, ' ').replace(INVISIBLE, '').replace(/\r\n?/g, '\n');
  const notices: string[] = [];
  const lines = text.split('\n').map((raw, index) => {
    // A run of dashes with an en or em dash in it, starting a word before a letter: an option's `--`.
    let changed = false;
    const line = raw.replace(OPTION_DASHES, (_m, lead: string) => ((changed = true), `${lead}--`));
    let out = '';
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const prev = line[i - 1] ?? '';
      const next = line[i + 1] ?? '';
      if (DOUBLE.test(c)) {
        out += '"';
        changed = true;
      } else if (c === '\u2018' || c === '\u201a' || c === '\u2032') {
        out += "'";
        changed = true;
      } else if (c === '\u2019' && !(LETTER.test(prev) && LETTER.test(next))) {
        out += "'";
        changed = true;
      } else out += c;
    }
    if (changed) notices.push(`note: line ${index + 1}: typographic quotes or dashes replaced: ${out.trim()}`);
    return out;
  });
  return { text: lines.join('\n'), notices };
}
