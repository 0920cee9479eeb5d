# The installed AWS CLI v2's own shorthand parser and output formatters, fed JSON lines on stdin and
# answering one JSON line each: the oracle for tests/unit/terminal/aws/formatters-parity.test.ts.
import io, json, sys
from argparse import Namespace
from awscli.shorthand import ShorthandParser, ShorthandParseError
from awscli.formatter import get_formatter
import jmespath

parser = ShorthandParser()
for line in sys.stdin:
    req = json.loads(line)
    try:
        if req['kind'] == 'shorthand':
            out = {'ok': parser.parse(req['value'])}
        else:
            args = Namespace(query=jmespath.compile(req['query']) if req.get('query') else None, color='off')
            stream = io.StringIO()
            get_formatter(req['format'], args)(req.get('title', 'Op'), req['data'], stream)
            out = {'ok': stream.getvalue()}
    except ShorthandParseError as e:
        out = {'error': str(e)}
    except Exception as e:
        out = {'error': '%s: %s' % (type(e).__name__, e)}
    print(json.dumps(out), flush=True)
