// Every construct lab sheets use (the terminal issue's list) run by /bin/bash and by the terminal's
// shell: the same stdout, exit status and files. stderr wording differs (bash prefixes `script: line N:`)
// and is not compared.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FIXED_EPOCH, runBash, runOurs } from './real-bash';

beforeAll(() => void vi.useFakeTimers({ toFake: ['Date'], now: FIXED_EPOCH * 1000 }));
afterAll(() => void vi.useRealTimers());

const CASES: Record<string, string> = {
  'export, $VAR and ${VAR}':
    'export A=1\nB="x  y"\necho $A ${B} "$B" "${A}_suffix"\nenv | grep -c "^A=1$"\nenv | grep -c "^B=" || true',
  '"$(…)" command substitution, nested':
    'X="$(echo hi there)"\necho "[$X]"\nY=$(printf "a\\nb\\n\\n")\necho "$Y" | wc -l\necho "$(echo "$(echo nested)")"',
  '\\ line continuation': 'echo one \\\n  two \\\n    three\nls \\\n  -1',
  'single and double quoting': `A=1\necho 'single $A "x"' "double $A 'y'" mixed'a'"b"c\necho "a\\$b" 'back\\slash' "q\\"q"\necho ""x'' " lead"`,
  '# comments': 'echo a # a comment\n# a whole line\n  # indented\necho b#not-a-comment',
  '> >> < redirection':
    'echo one > f.txt\necho two >> f.txt\ncat < f.txt\nwc -l < f.txt\necho to-stderr 1>&2\ncat missing.txt 2>/dev/null\necho "status $?"\n{ echo grouped; echo lines; } > g.txt',
  'here-documents, expanded and quoted': `ACCOUNT_ID=111122223333\nCALLER_ARN="arn:aws:iam::111122223333:user/alice"\ncat > key-policy.json <<EOF\n{\n  "Principal": { "AWS": "arn:aws:iam::\${ACCOUNT_ID}:root" },\n  "Caller": "$CALLER_ARN",\n  "Cmd": "$(echo sub)"\n}\nEOF\ncat <<'RAW'\nno $expansion \${here}\nRAW\ncat <<-TABS\n\tstripped\n\t\tone tab\nTABS`,
  'redirection targets and here-strings that look like assignments':
    'base64 -d <<< aGk=\necho\necho x > a=b\necho y >>a=b\ncat a=b\ncat <<< "k=v"\necho "tricky > c=d" \'> e=f\'\ncat <<EOF\nbody > g=h\nEOF',
  pipes: 'printf "b\\na\\nc\\n" | sort | head -2\necho abc | tr a-z A-Z\nprintf "x\\ny\\n" | grep y | wc -l',
  'process substitution, binary-safe':
    'cat <(echo hi) <(echo there)\nprintf "bin\\001\\377\\376\\200" > p.bin\naws kms decrypt --ciphertext-blob fileb://<(cat p.bin)\nbase64 p.bin > p.b64\naws kms decrypt --ciphertext-blob fileb://<(base64 --decode p.b64) --x fileb://<(head -c 4 p.bin)\nwc -c < <(printf abc)\necho <(true) | grep -c /dev/fd/',
  'if [ … ]; then … else … fi':
    'AWS_REGION=us-east-1\nif [ "$AWS_REGION" = "us-east-1" ]; then\n  echo east\nelse\n  echo other\nfi\nAWS_REGION=eu-west-1\nif [ "$AWS_REGION" = "us-east-1" ]; then echo east; elif [ -n "$AWS_REGION" ]; then echo "other $AWS_REGION"; else echo none; fi\ntouch f\nif [ -f f ] && [ ! -d f ]; then echo file; fi\n[ 3 -lt 10 ] && echo lt\n[ -z "$UNSET" ] && echo empty',
  '&& and ||': 'true && echo y || echo n\nfalse && echo y || echo n\nfalse || false || echo z\ntrue || echo never',
  '$?': 'false\necho $?\ntrue\necho $?\n(exit 7)\necho $?\ncat /nonexistent 2>/dev/null\necho $?\n[ a = b ]\necho $?',
  'set -e stops at the first failure': 'set -e\necho a\nfalse\necho never',
  'set -e spares conditions and || lists':
    'set -e\nfalse || true\nif false; then echo no; fi\n! false\necho survived\nfalse && echo no\necho after-and-list',
  'no set -e: a failure does not stop the paste': 'echo a\nfalse\ncat /nope 2>/dev/null\necho b',
  'exit ends the paste': 'echo a\nexit 3\necho never',
  'echo -n and -e':
    "echo -n a\necho -e 'b\\tc\\x41'\necho -e 'oct\\0101'\necho -ne 'x\\ny'\necho\necho -e 'no\\cmore'\necho -n",
  cat: 'printf "1\\n2\\n" > a\nprintf "3\\n" > b\ncat a b\ncat -n a\ncat a - b <<< middle',
  'base64 and --decode/-d':
    'echo -n hello | base64\necho aGVsbG8= | base64 -d; echo\nbase64 --decode <<< aGVsbG8gd29ybGQ=\nseq 1 40 | base64\nseq 1 40 | base64 | base64 --decode | tail -1\nprintf "\\001\\002\\003\\377" > bin\nbase64 bin > bin.b64\nbase64 --decode bin.b64 > back.bin\ndiff bin back.bin && echo same',
  'date +FORMAT':
    'date +%Y%m%d%H%M%S\ndate +%Y-%m-%dT%H:%M:%SZ\ndate +%s\ndate -u +%F\ndate +%T\ndate "+%a %b %e %H:%M %Z %j %u"\nexport TS="$(date +%Y%m%d%H%M%S)"\necho "kms-lab-$TS"',
  'ls, rm, mv, cp, mkdir': 'touch a b c\nmkdir d\ncp a d/\ncp a a2\nmv b e\nrm c\nls\nls d\nls -1 | wc -l\nrm -r d\nls',
  'head, tail, wc':
    'seq 1 20 > n.txt\nhead -n 3 n.txt\ntail -n 2 n.txt\nhead -5 n.txt | tail -1\ntail -n +18 n.txt\nwc -l n.txt\nwc -c < n.txt\nwc n.txt\nhead -c 5 n.txt\necho\ntail -c 3 n.txt',
  grep: "seq 1 20 > n.txt\ngrep -c 1 n.txt\ngrep -E '^1[0-5]$' n.txt\ngrep -v 1 n.txt | head -3\ngrep -o 'b.' <<< abcbd\ngrep -i HELLO <<< hello\ngrep -q x <<< abc\necho $?\ngrep -n 2 n.txt\ngrep -w 1 n.txt",
  'sed (simple substitutions)':
    "sed 's/a/b/' <<< aaa\nsed 's/a/b/g' <<< aaa\nseq 1 3 | sed -n '2p'\nsed -e 's/^/> /' <<< x\nsed 's|/|_|g' <<< a/b/c\nsed -E 's/([0-9]+)-([0-9]+)/\\2-\\1/' <<< 12-34\nseq 1 3 > s.txt\nsed -i 's/2/two/' s.txt\ncat s.txt\nsed '/two/d' s.txt",
  sha256sum: 'echo -n abc | sha256sum\nprintf "abc\\n" > h.txt\nsha256sum h.txt\nsha256sum h.txt | cut -d" " -f1',
  'jq common filters': `cat > j.json <<'EOF'\n{"KeyMetadata":{"KeyId":"1234abcd","Arn":"arn:aws:kms:us-east-1:111122223333:key/1234abcd","Enabled":true},"Aliases":[{"AliasName":"alias/a","TargetKeyId":"k1"},{"AliasName":"alias/b","TargetKeyId":"k2"}],"n":[3,1,2]}\nEOF\njq . j.json\njq -r .KeyMetadata.KeyId j.json\njq '.Aliases | length' j.json\njq -c '.n | map(. * 2)' j.json\njq -r '.Aliases[] | select(.AliasName == "alias/b") | .TargetKeyId' j.json\njq -r '.Aliases[].AliasName' j.json\njq -c 'keys' j.json\njq -c '.n | sort' j.json\njq -r '.KeyMetadata | "\\(.KeyId) \\(.Enabled)"' j.json\njq -c --arg k v '{($k): 1}' <<< null\njq -r '.KeyMetadata.Arn | split(":")[4]' j.json\njq -e .missing j.json; echo "status $?"`,
  'true, false, sleep': 'sleep 0.01\ntrue; echo $?\nfalse; echo $?',
  '$USER and $HOME': 'echo "$USER $SHELL"\necho "$HOME"\ncd /tmp\ncd\npwd\necho ~',
};

describe('the terminal shell against /bin/bash', () => {
  for (const [name, script] of Object.entries(CASES)) {
    it(name, async () => {
      const bash = runBash(script);
      const ours = await runOurs(script);
      expect({ stdout: ours.stdout, exitCode: ours.exitCode, files: ours.files }).toEqual(bash);
    });
  }
});
