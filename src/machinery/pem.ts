// PEM (RFC 7468) as Go's encoding/pem reads and writes it: certificates, keys
// and requests travel in it between components, files and the API.

export interface PemBlock {
  type: string;
  der: Buffer;
}

/** pem.Decode's loop: every block of the text, in order. */
export function decodePemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (const m of text.matchAll(re)) {
    const body = m[2]
      .split(/\r?\n/)
      .filter((l) => !l.includes(":"))
      .join("")
      .replace(/\s+/g, "");
    out.push({ type: m[1], der: Buffer.from(body, "base64") });
  }
  return out;
}

/** pem.EncodeToMemory. */
export function encodePem(type: string, der: Uint8Array | ArrayBuffer): string {
  const b64 = Buffer.from(der instanceof ArrayBuffer ? new Uint8Array(der) : der)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .replace(/\n$/, "");
  return `-----BEGIN ${type}-----\n${b64}\n-----END ${type}-----\n`;
}
