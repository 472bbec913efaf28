export interface RequestTarget {
  pathname: string;
  searchParams: URLSearchParams;
}

// A request target the WHATWG URL parser would leave as it is: printable ASCII, no escapes, dot
// segments, fragment or characters it percent-encodes.
const PLAIN_TARGET = /^\/(?!\/)[\w\-.~/:@!$&'()*+,;=]*(?:\?[\x21-\x22\x24-\x7e]*)?$/;
const DOT_SEGMENT = /\/\.\.?(?:[/?]|$)/;

/** The path and query of a request. new URL() costs several µs a request; plain targets are split by hand. */
export function requestTarget(raw: string): RequestTarget {
  if (PLAIN_TARGET.test(raw) && !DOT_SEGMENT.test(raw)) {
    const q = raw.indexOf("?");
    if (q < 0) return { pathname: raw, searchParams: new URLSearchParams() };
    // From the "?": URLSearchParams drops one leading "?", and a query may itself start with one.
    return { pathname: raw.slice(0, q), searchParams: new URLSearchParams(raw.slice(q)) };
  }
  const url = new URL(raw, "https://apiserver");
  return { pathname: url.pathname, searchParams: url.searchParams };
}

/**
 * requestTarget of a request's URL, or undefined for one the URL parser
 * refuses ("//["): a request handler that let new URL() throw would take its
 * whole process down, before any authentication.
 */
export function parseTarget(raw: string | undefined): RequestTarget | undefined {
  try {
    return requestTarget(raw ?? "/");
  } catch {
    return undefined;
  }
}
