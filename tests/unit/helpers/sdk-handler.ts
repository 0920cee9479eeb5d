// Runs the unmodified AWS SDK v3 in Node against an endpoint adapter (a `(Request) => Response`
// function) instead of a network: the SDK's own serialization, signing and parsing, no socket.

/** An SDK `requestHandler` that answers each request with `serve`'s Response. */
export function sdkHandler(serve: (req: Request) => Promise<Response>) {
  return {
    async handle(r: {
      method: string;
      protocol: string;
      hostname: string;
      port?: number;
      path: string;
      query?: Record<string, string | string[] | null>;
      headers: Record<string, string>;
      body?: unknown;
    }) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(r.query ?? {}))
        for (const x of Array.isArray(v) ? v : [v]) q.append(k, x ?? '');
      const url = `${r.protocol}//${r.hostname}${r.port ? `:${r.port}` : ''}${r.path}${q.size ? `?${q}` : ''}`;
      const headers = { ...r.headers };
      // What a page's fetch cannot set, the service worker never sees.
      delete headers.host;
      delete headers['content-length'];
      const res = await serve(
        new Request(url, { method: r.method, headers, body: (r.body ?? null) as BodyInit | null }),
      );
      return {
        response: {
          statusCode: res.status,
          headers: Object.fromEntries(res.headers),
          body: new Uint8Array(await res.arrayBuffer()),
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}
