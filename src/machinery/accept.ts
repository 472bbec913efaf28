// The Accept header: the media ranges a client takes, for content negotiation
// (the apiserver's representations, the OpenAPI documents' formats).

export interface MediaRange {
  type: string;
  params: Record<string, string>;
}

/** The media ranges of an Accept header in their order, without those of q=0; no header accepts anything. */
export function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [{ type: "*/*", params: {} }];
  return header
    .split(",")
    .map((part) => {
      const [type, ...params] = part.split(";").map((s) => s.trim());
      const p: Record<string, string> = {};
      for (const kv of params) {
        const i = kv.indexOf("=");
        if (i > 0) p[kv.slice(0, i).trim()] = kv.slice(i + 1).trim();
      }
      return { type: type.toLowerCase(), params: p };
    })
    .filter((m) => m.type !== "" && m.params.q !== "0");
}
