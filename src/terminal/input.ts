// When typed or pasted text is a whole command, as an interactive bash decides it: bash keeps reading
// (its PS2 prompt, "> ") while a quote, $( … ), a here-document, a trailing backslash, && / || / |, or a
// compound command (if … fi, for/while/until … done, case … esac, { … }, ( … )) is still open.
// Bash Reference Manual §3.1.2 (quoting), §3.2.5 (compound commands), §3.6.6 (here documents).

type Frame = "'" | '"' | '$(' | '`' | '(' | '{' | 'if' | 'do' | 'case';

/** Keywords that open a block, and the word that closes it. */
const OPENERS: Record<string, Frame> = { if: 'if', for: 'do', while: 'do', until: 'do', select: 'do', case: 'case' };
const CLOSERS: Record<string, Frame> = { fi: 'if', done: 'do', esac: 'case' };
/** After these words a command starts (so `if`, `then`, `{` … there are keywords). */
const LEADERS = new Set(['then', 'do', 'else', 'elif', 'if', 'while', 'until', '!', '{', 'time']);

interface Heredoc {
  delimiter: string;
  stripTabs: boolean;
}

/** Whether `text` needs no more lines to be run (every construct opened in it is closed). */
export function isCompleteInput(text: string): boolean {
  const stack: Frame[] = [];
  const pending: Heredoc[] = [];
  const lines = text.split('\n');
  let commandStart = true;
  let lastOperator = '';
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li]!;
    // A here-document's body: lines up to its delimiter are data, not shell.
    if (pending.length && !inQuote(stack)) {
      const h = pending[0]!;
      if ((h.stripTabs ? line.replace(/^\t+/, '') : line) === h.delimiter) pending.shift();
      continue;
    }
    let word = '';
    const endWord = () => {
      if (!word) return;
      const top = stack[stack.length - 1];
      if (commandStart && !inQuote(stack)) {
        if (Object.hasOwn(OPENERS, word)) stack.push(OPENERS[word]!);
        else if (Object.hasOwn(CLOSERS, word) && top === CLOSERS[word]) stack.pop();
        else if (word === '}' && top === '{') stack.pop();
        else if (word === '{') stack.push('{');
      }
      commandStart = LEADERS.has(word) && commandStart;
      lastOperator = '';
      word = '';
    };
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      const top = stack[stack.length - 1];
      if (top === "'") {
        if (c === "'") stack.pop();
        continue;
      }
      if (c === '\\') {
        if (i === line.length - 1) break; // a line continuation: the next line joins this one
        word += c + line[++i];
        continue;
      }
      if (top === '"') {
        if (c === '"') stack.pop();
        else if (c === '$' && line[i + 1] === '(') (stack.push('$('), i++);
        else if (c === '`') stack.push('`');
        continue;
      }
      if (top === '`' && c === '`') {
        stack.pop();
        continue;
      }
      if (c === "'" || c === '"') {
        stack.push(c);
        word += c;
        continue;
      }
      if (c === '$' && line[i + 1] === '(') {
        stack.push('$(');
        word += '$(';
        i++;
        commandStart = true;
        continue;
      }
      if (c === '`') {
        stack.push('`');
        word += c;
        continue;
      }
      if (c === '#' && !word) break; // a comment runs to the end of the line
      if (c === ' ' || c === '\t') {
        endWord();
        continue;
      }
      if (c === ')' && (top === '$(' || top === '(')) {
        endWord();
        stack.pop();
        commandStart = false;
        continue;
      }
      if (c === '(' && !word) {
        stack.push('(');
        commandStart = true;
        continue;
      }
      if (c === '<' && line[i + 1] === '<' && line[i + 2] !== '<') {
        endWord();
        const m = /^<<(-?)\s*(?:'([^']*)'|"([^"]*)"|\\?([^\s;&|<>()]+))/.exec(line.slice(i));
        if (m) {
          pending.push({ delimiter: m[2] ?? m[3] ?? m[4]!, stripTabs: m[1] === '-' });
          i += m[0].length - 1;
        }
        continue;
      }
      if (c === ';' || c === '&' || c === '|') {
        endWord();
        const two = line.slice(i, i + 2);
        lastOperator = two === '&&' || two === '||' ? two : c;
        if (two === '&&' || two === '||' || two === ';;') i++;
        commandStart = true;
        continue;
      }
      word += c;
    }
    const continued = line.endsWith('\\') && !endsInEscapedBackslash(line) && stack[stack.length - 1] !== "'";
    if (continued) {
      if (li === lines.length - 1) return false;
      continue;
    }
    endWord();
    if (!inQuote(stack)) commandStart = true;
  }
  if (pending.length || stack.length) return false;
  return !(lastOperator === '&&' || lastOperator === '||' || lastOperator === '|');
}

function inQuote(stack: Frame[]): boolean {
  const top = stack[stack.length - 1];
  return top === "'" || top === '"' || top === '`';
}

function endsInEscapedBackslash(line: string): boolean {
  const m = /\\+$/.exec(line);
  return m !== null && m[0].length % 2 === 0;
}

/**
 * Pasted text cut into the commands an interactive bash would run one after another (each a whole
 * command, possibly over several lines), and what is left open at the end (run once completed).
 */
export function splitCommands(text: string): { commands: string[]; rest: string } {
  const commands: string[] = [];
  let acc: string[] = [];
  for (const line of text.replace(/\r\n?/g, '\n').split('\n')) {
    acc.push(line);
    const chunk = acc.join('\n');
    if (isCompleteInput(chunk)) {
      if (chunk.trim()) commands.push(chunk);
      acc = [];
    }
  }
  return { commands, rest: acc.join('\n') };
}
