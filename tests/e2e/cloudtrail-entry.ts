// Bundled for the browser by cloudtrail-sdk.test.ts: the unmodified @aws-sdk/client-cloudtrail, run from a
// page of the app's origin against the service worker's /cloudtrail endpoint. Answers are flattened to
// plain data (Dates to epoch milliseconds, errors to name, status and class) to cross page.evaluate.
import {
  AccessDeniedException,
  CloudTrailClient,
  CloudTrailServiceException,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
  LookupEventsCommand,
  type LookupAttribute,
} from '@aws-sdk/client-cloudtrail';

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** LookupEvents' input with StartTime and EndTime as epoch milliseconds (page.evaluate carries no Dates). */
interface LookupInput {
  LookupAttributes?: LookupAttribute[];
  StartTime?: number;
  EndTime?: number;
  MaxResults?: number;
  NextToken?: string;
}

// The modeled exceptions the SDK deserializes LookupEvents' errors into (compared by class, not message).
const MODELED = {
  AccessDeniedException,
  InvalidLookupAttributesException,
  InvalidMaxResultsException,
  InvalidNextTokenException,
  InvalidTimeRangeException,
};

const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));

/** One LookupEvents call through the SDK: the page of events, or the error as the SDK surfaces it. */
async function lookup(origin: string, credentials: Credentials, input: LookupInput) {
  const client = new CloudTrailClient({
    region: 'us-east-1',
    endpoint: `${origin}/cloudtrail`,
    credentials,
    maxAttempts: 1,
  });
  try {
    const out = await client.send(
      new LookupEventsCommand({ ...input, StartTime: date(input.StartTime), EndTime: date(input.EndTime) }),
    );
    return {
      status: out.$metadata.httpStatusCode,
      nextToken: out.NextToken,
      events: (out.Events ?? []).map((e) => ({
        ...e,
        EventTime: e.EventTime?.getTime(),
        eventTimeIsDate: e.EventTime instanceof Date,
      })),
    };
  } catch (e) {
    const err = e as CloudTrailServiceException;
    const modeled = Object.entries(MODELED).find(([, C]) => err instanceof C)?.[0];
    return {
      error: {
        name: err.name,
        status: err.$metadata?.httpStatusCode,
        fault: err.$fault,
        modeled: modeled ?? null,
        serviceException: err instanceof CloudTrailServiceException,
      },
    };
  }
}

/** Every page of a lookup, following NextToken, with the size of each page. */
async function lookupAll(origin: string, credentials: Credentials, input: LookupInput) {
  const pages: Awaited<ReturnType<typeof lookup>>[] = [];
  let NextToken: string | undefined;
  do {
    const page = await lookup(origin, credentials, NextToken ? { ...input, NextToken } : input);
    pages.push(page);
    if ('error' in page) break;
    NextToken = page.nextToken;
  } while (NextToken && pages.length < 100);
  return pages;
}

Object.assign(globalThis, { ctLookup: lookup, ctLookupAll: lookupAll });
