// Structured logs: one JSON object a line on stderr, with a component field.
type Fields = Record<string, unknown>;

function emit(level: string, msg: string, fields: Fields = {}): void {
  process.stderr.write(
    `${JSON.stringify({ ts: new Date().toISOString(), level, component: "apiserver", msg, ...fields })}\n`,
  );
}

export const log = {
  info: (msg: string, fields?: Fields) => emit("info", msg, fields),
  error: (msg: string, fields?: Fields) => emit("error", msg, fields),
};
