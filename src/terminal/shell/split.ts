// Where one complete command of pasted or typed text ends, as bash decides when it reads line by line
// (bash(1) SHELL GRAMMAR, QUOTING, Here Documents): a line ends a command unless a quote, `$(`, `${`, a
// here-document, a trailing `\`, `|`, `&&`, `||` or an open if/case/loop/group/subshell carries it on.
// The library's parser does the real parsing; this scanner only finds the boundaries it cannot.

/** Closers an opener waits for: keywords at command position, or a bracket. */
type Closer = 'fi' | 'esac' | 'done' | '}' | ')' | '))';

const ASSIGNMENT_LIKE = /^[A-Za-z_]\w*=/;
const OPENERS: Record<string, Closer> = {
  if: 'fi',
  case: 'esac',
  for: 'done',
  while: 'done',
  until: 'done',
  select: 'done',
};
const CLOSERS = new Set(['fi', 'esac', 'done', '}']);
/** Words after which the next word is again in command position. */
const LEADERS = new Set(['then', 'do', 'else', 'elif', '!', 'if', 'while', 'until', 'time']);

interface Scan {
  /** Offsets just after each newline that ends a complete command. */
  boundaries: number[];
  /** Spans of `<(…)` outside quotes and here-documents, in order. */
  inputSubstitutions: { start: number; end: number }[];
  /** Offsets of redirection targets and here-strings that read like an assignment (`<<< aGk=`). */
  assignmentLikeTargets: number[];
  /** The text ends inside a command (a continuation prompt is due). */
  incomplete: boolean;
}

function scan(text: string): Scan {
  const stack: Closer[] = [];
  const heredocs: { word: string; strip: boolean }[] = [];
  const boundaries: number[] = [];
  const inputSubstitutions: { start: number; end: number }[] = [];
  const assignmentLikeTargets: number[] = [];
  /** The previous word was a redirection operator (`>`, `>>`, `2>`, `<`, `<<<`): this word is its target. */
  let redirectTarget = false;
  let i = 0;
  let commandPosition = true;
  /** The last token of the line was an operator that needs a right-hand side (`|`, `&&`, `||`). */
  let dangling = false;
  let caseWordsLeft = 0; // after `case`, the word and `in` are not commands
  const n = text.length;

  /** Skips a quoted or bracketed region opened at `i`; returns the offset after it, or -1 if unterminated. */
  const skipSingle = (from: number): number => {
    const end = text.indexOf("'", from);
    return end < 0 ? -1 : end + 1;
  };
  const skipDouble = (from: number): number => {
    for (let j = from; j < n; j++) {
      const c = text[j];
      if (c === '\\') j++;
      else if (c === '"') return j + 1;
      else if (c === '`') {
        j = skipBacktick(j + 1) - 1;
        if (j < 0) return -1;
      } else if (c === '$' && (text[j + 1] === '(' || text[j + 1] === '{')) {
        j = skipDollar(j + 1) - 1;
        if (j < 0) return -1;
      }
    }
    return -1;
  };
  const skipBacktick = (from: number): number => {
    for (let j = from; j < n; j++) {
      if (text[j] === '\\') j++;
      else if (text[j] === '`') return j + 1;
    }
    return -1;
  };
  /** `from` is at the `(` or `{` after `$`. Nested quotes and substitutions count; a `)` in a case pattern
   * inside `$( )` is a rare miss that only shows as a continuation prompt. */
  const skipDollar = (from: number): number => {
    const open = text[from]!;
    const close = open === '(' ? ')' : '}';
    let depth = 0;
    for (let j = from; j < n; j++) {
      const c = text[j];
      if (c === '\\') j++;
      else if (c === "'" && open === '(') {
        j = skipSingle(j + 1) - 1;
        if (j < 0) return -1;
      } else if (c === '"') {
        j = skipDouble(j + 1) - 1;
        if (j < 0) return -1;
      } else if (c === '`') {
        j = skipBacktick(j + 1) - 1;
        if (j < 0) return -1;
      } else if (c === open) depth++;
      else if (c === close && --depth === 0) return j + 1;
    }
    return -1;
  };

  while (i < n) {
    const c = text[i]!;
    if (c === '\n') {
      i++;
      // Here-document bodies follow the line that introduced them.
      while (heredocs.length) {
        const { word, strip } = heredocs.shift()!;
        for (;;) {
          if (i >= n) return { boundaries, inputSubstitutions, assignmentLikeTargets, incomplete: true };
          const eol = text.indexOf('\n', i);
          const line = text.slice(i, eol < 0 ? n : eol);
          i = eol < 0 ? n : eol + 1;
          if ((strip ? line.replace(/^\t+/, '') : line) === word) break;
        }
      }
      if (!stack.length && !dangling) boundaries.push(i);
      commandPosition = true;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\') {
      if (text[i + 1] === '\n') {
        if (i + 2 >= n) return { boundaries, inputSubstitutions, assignmentLikeTargets, incomplete: true };
        i += 2; // line continuation: the command goes on
        continue;
      }
      if (i + 1 >= n) return { boundaries, inputSubstitutions, assignmentLikeTargets, incomplete: true };
    }
    if (c === '#') {
      const eol = text.indexOf('\n', i);
      i = eol < 0 ? n : eol;
      continue;
    }
    if (c === ';' || c === '&' || c === '|') {
      const two = text.slice(i, i + 2);
      if (two === ';;' || two === ';&') {
        i += two === ';;' && text[i + 2] === '&' ? 3 : 2;
        commandPosition = true;
        dangling = false;
        continue;
      }
      const op = two === '&&' || two === '||' || two === '|&' ? two : c;
      i += op.length;
      dangling = op !== ';' && op !== '&';
      commandPosition = true;
      continue;
    }
    if (c === '(') {
      if (text[i + 1] === '(') {
        stack.push('))');
        i += 2;
      } else {
        stack.push(')');
        i++;
      }
      commandPosition = true;
      dangling = false;
      continue;
    }
    if (c === ')') {
      if (stack.at(-1) === '))' && text[i + 1] === ')') {
        stack.pop();
        i += 2;
      } else {
        if (stack.at(-1) === ')') stack.pop();
        i++; // a case pattern's `)` closes nothing
      }
      commandPosition = false;
      dangling = false;
      continue;
    }
    if (c === '<' && text[i + 1] === '<' && text[i + 2] !== '<') {
      // Here-document: `<<WORD`, `<<-WORD`, quoted or not.
      let j = i + 2;
      const strip = text[j] === '-';
      if (strip) j++;
      while (text[j] === ' ' || text[j] === '\t') j++;
      let word = '';
      while (j < n && !/[\s;&|<>()]/.test(text[j]!)) {
        const q = text[j]!;
        if (q === "'" || q === '"') {
          const end = text.indexOf(q, j + 1);
          if (end < 0) return { boundaries, inputSubstitutions, assignmentLikeTargets, incomplete: true };
          word += text.slice(j + 1, end);
          j = end + 1;
        } else if (q === '\\') {
          word += text[j + 1] ?? '';
          j += 2;
        } else {
          word += q;
          j++;
        }
      }
      if (word) heredocs.push({ word, strip });
      i = j;
      dangling = false;
      commandPosition = false;
      continue;
    }
    // A word: read it whole, with its quotes and substitutions.
    const start = i;
    while (i < n && !/[\s;&|()]/.test(text[i]!) && !(text[i] === '<' && text[i + 1] === '<')) {
      const q = text[i]!;
      let next = i + 1;
      if (q === "'") next = skipSingle(i + 1);
      else if (q === '"') next = skipDouble(i + 1);
      else if (q === '`') next = skipBacktick(i + 1);
      else if (q === '$' && text[i + 1] === "'") next = skipDollarSingle(text, i + 2);
      else if (q === '$' && (text[i + 1] === '(' || text[i + 1] === '{')) next = skipDollar(i + 1);
      else if (q === '<' && text[i + 1] === '(') {
        next = skipDollar(i + 1);
        if (next > 0) inputSubstitutions.push({ start: i, end: next });
      } else if (q === '\\') next = i + 2;
      if (next < 0 || next > n) return { boundaries, inputSubstitutions, assignmentLikeTargets, incomplete: true };
      i = next;
    }
    if (i === start) i += text.startsWith('<<<', i) ? 3 : 1; // `<<<` and other operators glued to words
    const word = text.slice(start, i);
    dangling = false;
    const glued = /^(?:\d*|&)(?:>>?|<|>\|)(?=[A-Za-z_]\w*=)/.exec(word);
    if (redirectTarget && ASSIGNMENT_LIKE.test(word)) assignmentLikeTargets.push(start);
    else if (glued) assignmentLikeTargets.push(start + glued[0].length);
    redirectTarget = /^(?:\d*|&)(?:>>?|<|>\||<<<)$/.test(word);
    if (caseWordsLeft > 0) {
      caseWordsLeft--;
      commandPosition = false;
      continue;
    }
    if (commandPosition && OPENERS[word]) {
      stack.push(OPENERS[word]!);
      if (word === 'case') caseWordsLeft = 2;
      commandPosition = word !== 'case' && word !== 'for' && word !== 'select';
      continue;
    }
    if (commandPosition && word === '{') {
      stack.push('}');
      continue;
    }
    if (commandPosition && CLOSERS.has(word) && stack.at(-1) === word) {
      stack.pop();
      commandPosition = false;
      continue;
    }
    if (stack.at(-1) === 'done' && word === 'do') {
      commandPosition = true;
      continue;
    }
    commandPosition = LEADERS.has(word) && commandPosition;
    // In `for x in a b c; do` and `case x in`, only `do`/`in` matter; handled above.
  }
  const open = stack.length > 0 || dangling || heredocs.length > 0;
  if (!open && (boundaries.at(-1) ?? 0) < n) boundaries.push(n);
  return { boundaries, inputSubstitutions, assignmentLikeTargets, incomplete: open };
}

function skipDollarSingle(text: string, from: number): number {
  for (let j = from; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === "'") return j + 1;
  }
  return -1;
}

/** True when bash would print its continuation prompt (`> `) after this text instead of running it. */
export function needsMoreInput(text: string): boolean {
  return scan(text.endsWith('\n') ? text : `${text}\n`).incomplete;
}

/**
 * Complete commands of `text` in order, each with its own lines (as bash reads a paste), and the
 * unfinished rest, if any. Blank and comment-only lines come out as their own (empty) commands.
 */
export function splitCommands(text: string): { commands: string[]; rest: string } {
  const { boundaries, incomplete } = scan(text.endsWith('\n') || !text ? text : `${text}\n`);
  const commands: string[] = [];
  let from = 0;
  for (const b of boundaries) {
    const piece = text.slice(from, b);
    if (piece) commands.push(piece);
    from = b;
  }
  const rest = incomplete ? text.slice(from) : '';
  return { commands, rest };
}

/**
 * `<(cmd)` as `$(cmd | capture)`, where `capture` is a command that stores its standard input in a file
 * and prints the file's path. just-bash 3.6 runs `<(…)` bodies through its text path, which re-encodes
 * bytes that are not UTF-8 (a KMS ciphertext from `base64 --decode`); a pipe carries bytes unchanged.
 * Only single pipelines are rewritten (no `;`, `&`, `#` or newline inside), which keeps the meaning exact;
 * other bodies are left to the library.
 */
export function rewriteInputSubstitutions(text: string, capture: string): string {
  const { inputSubstitutions } = scan(text.endsWith('\n') ? text : `${text}\n`);
  let out = text;
  for (const { start, end } of [...inputSubstitutions].reverse()) {
    const body = text.slice(start + 2, end - 1);
    if (/[;&#\n]/.test(body) || !body.trim()) continue;
    out = `${out.slice(0, start)}$(${body} | ${capture})${out.slice(end)}`;
  }
  return out;
}

/**
 * An empty `""` before each redirection target or here-string that reads like an assignment: just-bash
 * 3.6 fails to parse `base64 -d <<< aGk=` and `echo x > a=b` ("Expected redirection target"), and an
 * empty quoted string changes no word's value in bash.
 */
export function quoteAssignmentLikeTargets(text: string): string {
  const { assignmentLikeTargets } = scan(text.endsWith('\n') ? text : `${text}\n`);
  let out = text;
  for (const at of [...assignmentLikeTargets].reverse()) out = `${out.slice(0, at)}""${out.slice(at)}`;
  return out;
}
