// /openapi/v2 as protobuf: the Swagger 2.0 document encoded as gnostic's
// openapi.v2.Document (github.com/google/gnostic-models, OpenAPIv2.proto),
// which kube-apiserver serves for
// `Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`.
// kubectl asks for it alone when it validates on the client side, as it does
// for the items of a `kind: List` file (`kubectl get -o yaml` output) under
// the default --validate=strict. The mapping follows gnostic's compiler: maps
// become repeated (name, value) pairs in document order, "x-" keys vendor
// extensions whose value is kept as YAML text (JSON is YAML), oneofs pick the
// branch the JSON's shape or `in` calls for; proto3 defaults are left out.

type Json = Record<string, unknown>;

/** Writes protobuf fields into a growing list of chunks. */
class Message {
  private readonly chunks: Buffer[] = [];

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  private varint(n: number): void {
    const bytes: number[] = [];
    if (n >= 0 && n < 2 ** 31) {
      for (; n >= 0x80; n >>>= 7) bytes.push((n & 0x7f) | 0x80);
      bytes.push(n);
    } else {
      // Negative int64s take ten bytes, two's complement.
      let v = BigInt.asUintN(64, BigInt(Math.trunc(n)));
      for (; v >= 0x80n; v >>= 7n) bytes.push(Number(v & 0x7fn) | 0x80);
      bytes.push(Number(v));
    }
    this.chunks.push(Buffer.from(bytes));
  }

  string(field: number, s: unknown): this {
    if (typeof s !== "string" || s === "") return this;
    const b = Buffer.from(s, "utf8");
    this.key(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }

  strings(field: number, list: unknown): this {
    if (Array.isArray(list)) for (const s of list) this.string(field, String(s));
    return this;
  }

  bool(field: number, b: unknown): this {
    if (b !== true) return this;
    this.key(field, 0);
    this.varint(1);
    return this;
  }

  /** A bool member of a oneof: written even when false. */
  oneofBool(field: number, b: boolean): this {
    this.key(field, 0);
    this.varint(b ? 1 : 0);
    return this;
  }

  int64(field: number, n: unknown): this {
    if (typeof n !== "number" || n === 0) return this;
    this.key(field, 0);
    this.varint(n);
    return this;
  }

  double(field: number, n: unknown): this {
    if (typeof n !== "number" || n === 0) return this;
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(n);
    this.chunks.push(b);
    return this;
  }

  /** An embedded message; present (if empty) whenever `m` is given. */
  message(field: number, m: Message | undefined): this {
    if (!m) return this;
    const b = m.bytes();
    this.key(field, 2);
    this.varint(b.length);
    this.chunks.push(b);
    return this;
  }

  messages(field: number, list: Iterable<Message>): this {
    for (const m of list) this.message(field, m);
    return this;
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** gnostic's Any: the value as YAML text. */
function any(v: unknown): Message | undefined {
  return v === undefined ? undefined : new Message().string(2, `${JSON.stringify(v)}\n`);
}

/** The "x-" keys of an object, as repeated NamedAny. */
function vendorExtensions(o: Json): Message[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith("x-"))
    .map(([k, v]) => new Message().string(1, k).message(2, any(v)));
}

/** A map as gnostic's Named* pairs. */
function named(map: unknown, value: (v: unknown) => Message): Message[] {
  if (!isObject(map)) return [];
  return Object.entries(map).map(([name, v]) => new Message().string(1, name).message(2, value(v)));
}

function externalDocs(d: unknown): Message | undefined {
  if (!isObject(d)) return undefined;
  return new Message().string(1, d.description).string(2, d.url).messages(3, vendorExtensions(d));
}

function schema(s: unknown): Message {
  const o = isObject(s) ? s : {};
  const m = new Message()
    .string(1, o.$ref)
    .string(2, o.format)
    .string(3, o.title)
    .string(4, o.description)
    .message(5, any(o.default))
    .double(6, o.multipleOf)
    .double(7, o.maximum)
    .bool(8, o.exclusiveMaximum)
    .double(9, o.minimum)
    .bool(10, o.exclusiveMinimum)
    .int64(11, o.maxLength)
    .int64(12, o.minLength)
    .string(13, o.pattern)
    .int64(14, o.maxItems)
    .int64(15, o.minItems)
    .bool(16, o.uniqueItems)
    .int64(17, o.maxProperties)
    .int64(18, o.minProperties)
    .strings(19, o.required)
    .messages(20, Array.isArray(o.enum) ? o.enum.map((v) => any(v)!) : []);
  if (typeof o.additionalProperties === "boolean") {
    m.message(21, new Message().oneofBool(2, o.additionalProperties));
  } else if (isObject(o.additionalProperties)) {
    m.message(21, new Message().message(1, schema(o.additionalProperties)));
  }
  if (o.type !== undefined)
    m.message(22, new Message().strings(1, Array.isArray(o.type) ? o.type : [o.type]));
  if (o.items !== undefined) {
    m.message(23, new Message().messages(1, (Array.isArray(o.items) ? o.items : [o.items]).map(schema)));
  }
  m.messages(24, Array.isArray(o.allOf) ? o.allOf.map(schema) : []);
  if (isObject(o.properties)) m.message(25, new Message().messages(1, named(o.properties, schema)));
  return m
    .string(26, o.discriminator)
    .bool(27, o.readOnly)
    .message(28, xml(o.xml))
    .message(29, externalDocs(o.externalDocs))
    .message(30, any(o.example))
    .messages(31, vendorExtensions(o));
}

function xml(x: unknown): Message | undefined {
  if (!isObject(x)) return undefined;
  return new Message()
    .string(1, x.name)
    .string(2, x.namespace)
    .string(3, x.prefix)
    .bool(4, x.attribute)
    .bool(5, x.wrapped)
    .messages(6, vendorExtensions(x));
}

/**
 * PrimitivesItems' fields, which non-body parameters and headers share from field `first` on; then the vendor
 * extensions, unless the caller writes them itself (Header has its description before them).
 */
function primitiveFields(m: Message, o: Json, first: number, extensions = true): Message {
  m.string(first, o.type)
    .string(first + 1, o.format)
    .message(first + 2, isObject(o.items) ? primitiveFields(new Message(), o.items, 1) : undefined)
    .string(first + 3, o.collectionFormat)
    .message(first + 4, any(o.default))
    .double(first + 5, o.maximum)
    .bool(first + 6, o.exclusiveMaximum)
    .double(first + 7, o.minimum)
    .bool(first + 8, o.exclusiveMinimum)
    .int64(first + 9, o.maxLength)
    .int64(first + 10, o.minLength)
    .string(first + 11, o.pattern)
    .int64(first + 12, o.maxItems)
    .int64(first + 13, o.minItems)
    .bool(first + 14, o.uniqueItems)
    .messages(first + 15, Array.isArray(o.enum) ? o.enum.map((v) => any(v)!) : [])
    .double(first + 16, o.multipleOf);
  return extensions ? m.messages(first + 17, vendorExtensions(o)) : m;
}

function parameter(p: unknown): Message {
  const o = isObject(p) ? p : {};
  if (o.in === "body") {
    const body = new Message()
      .string(1, o.description)
      .string(2, o.name)
      .string(3, o.in)
      .bool(4, o.required)
      .message(5, o.schema === undefined ? undefined : schema(o.schema))
      .messages(6, vendorExtensions(o));
    return new Message().message(1, body);
  }
  const head = new Message().bool(1, o.required).string(2, o.in).string(3, o.description).string(4, o.name);
  // Query and formData parameters have allowEmptyValue (field 5) and the rest from 6; header and path from 5.
  const withEmpty = o.in === "query" || o.in === "formData";
  if (withEmpty) head.bool(5, o.allowEmptyValue);
  const sub = primitiveFields(head, o, withEmpty ? 6 : 5);
  const branch = { header: 1, formData: 2, query: 3, path: 4 }[String(o.in)] ?? 3;
  return new Message().message(2, new Message().message(branch, sub));
}

/** A parameter or a JSON reference to one (ParametersItem). */
function parametersItem(p: unknown): Message {
  if (isObject(p) && typeof p.$ref === "string") {
    return new Message().message(2, new Message().string(1, p.$ref).string(2, p.description));
  }
  return new Message().message(1, parameter(p));
}

/** A Response. */
function responseOf(r: Json): Message {
  let schemaItem: Message | undefined;
  const sch = r.schema;
  if (isObject(sch)) {
    schemaItem =
      sch.type === "file"
        ? new Message().message(
            2,
            new Message()
              .string(1, sch.format)
              .string(2, sch.title)
              .string(3, sch.description)
              .message(4, any(sch.default))
              .strings(5, sch.required)
              .string(6, sch.type)
              .bool(7, sch.readOnly)
              .message(8, externalDocs(sch.externalDocs))
              .message(9, any(sch.example))
              .messages(10, vendorExtensions(sch)),
          )
        : new Message().message(1, schema(sch));
  }
  const header = (h: unknown) => {
    const o = isObject(h) ? h : {};
    return primitiveFields(new Message(), o, 1, false)
      .string(18, o.description)
      .messages(19, vendorExtensions(o));
  };
  return new Message()
    .string(1, r.description)
    .message(2, schemaItem)
    .message(3, isObject(r.headers) ? new Message().messages(1, named(r.headers, header)) : undefined)
    .message(
      4,
      isObject(r.examples)
        ? new Message().messages(
            1,
            named(r.examples, (v) => any(v)!),
          )
        : undefined,
    )
    .messages(5, vendorExtensions(r));
}

/** A response or a JSON reference to one (ResponseValue). */
function responseValue(r: unknown): Message {
  const o = isObject(r) ? r : {};
  if (typeof o.$ref === "string") return new Message().message(2, new Message().string(1, o.$ref));
  return new Message().message(1, responseOf(o));
}

function operation(op: unknown): Message | undefined {
  if (!isObject(op)) return undefined;
  const responses = isObject(op.responses)
    ? new Message()
        .messages(
          1,
          Object.entries(op.responses)
            .filter(([code]) => !code.startsWith("x-"))
            .map(([code, r]) => new Message().string(1, code).message(2, responseValue(r))),
        )
        .messages(2, vendorExtensions(op.responses))
    : undefined;
  return new Message()
    .strings(1, op.tags)
    .string(2, op.summary)
    .string(3, op.description)
    .message(4, externalDocs(op.externalDocs))
    .string(5, op.operationId)
    .strings(6, op.produces)
    .strings(7, op.consumes)
    .messages(8, Array.isArray(op.parameters) ? op.parameters.map(parametersItem) : [])
    .message(9, responses)
    .strings(10, op.schemes)
    .bool(11, op.deprecated)
    .messages(12, Array.isArray(op.security) ? op.security.map(securityRequirement) : [])
    .messages(13, vendorExtensions(op));
}

function pathItem(item: unknown): Message {
  const o = isObject(item) ? item : {};
  return new Message()
    .string(1, o.$ref)
    .message(2, operation(o.get))
    .message(3, operation(o.put))
    .message(4, operation(o.post))
    .message(5, operation(o.delete))
    .message(6, operation(o.options))
    .message(7, operation(o.head))
    .message(8, operation(o.patch))
    .messages(9, Array.isArray(o.parameters) ? o.parameters.map(parametersItem) : [])
    .messages(10, vendorExtensions(o));
}

function securityRequirement(r: unknown): Message {
  return new Message().messages(
    1,
    named(r, (scopes) => new Message().strings(1, scopes)),
  );
}

function securityScheme(s: unknown): Message {
  const o = isObject(s) ? s : {};
  const ext = vendorExtensions(o);
  const scopes = isObject(o.scopes)
    ? new Message().messages(
        1,
        Object.entries(o.scopes).map(([k, v]) => new Message().string(1, k).string(2, String(v))),
      )
    : undefined;
  let branch: number;
  let m: Message;
  if (o.type === "basic") {
    branch = 1;
    m = new Message().string(1, o.type).string(2, o.description).messages(3, ext);
  } else if (o.type === "apiKey") {
    branch = 2;
    m = new Message()
      .string(1, o.type)
      .string(2, o.name)
      .string(3, o.in)
      .string(4, o.description)
      .messages(5, ext);
  } else {
    // oauth2, by flow: implicit and accessCode have an authorizationUrl, password, application and accessCode a tokenUrl.
    const flows: Record<string, number> = { implicit: 3, password: 4, application: 5, accessCode: 6 };
    branch = flows[String(o.flow)] ?? 3;
    m = new Message().string(1, o.type).string(2, o.flow).message(3, scopes);
    if (branch === 3) m.string(4, o.authorizationUrl).string(5, o.description).messages(6, ext);
    else if (branch === 6)
      m.string(4, o.authorizationUrl).string(5, o.tokenUrl).string(6, o.description).messages(7, ext);
    else m.string(4, o.tokenUrl).string(5, o.description).messages(6, ext);
  }
  return new Message().message(branch, m);
}

/** The Swagger 2.0 document `doc` as a serialized openapi.v2.Document. */
export function openAPIV2Proto(doc: Json): Buffer {
  const info = isObject(doc.info) ? doc.info : undefined;
  const contact = info && isObject(info.contact) ? info.contact : undefined;
  const license = info && isObject(info.license) ? info.license : undefined;
  const paths = isObject(doc.paths) ? doc.paths : undefined;
  return new Message()
    .string(1, doc.swagger)
    .message(
      2,
      info &&
        new Message()
          .string(1, info.title)
          .string(2, info.version)
          .string(3, info.description)
          .string(4, info.termsOfService)
          .message(
            5,
            contact &&
              new Message()
                .string(1, contact.name)
                .string(2, contact.url)
                .string(3, contact.email)
                .messages(4, vendorExtensions(contact)),
          )
          .message(
            6,
            license &&
              new Message()
                .string(1, license.name)
                .string(2, license.url)
                .messages(3, vendorExtensions(license)),
          )
          .messages(7, vendorExtensions(info)),
    )
    .string(3, doc.host)
    .string(4, doc.basePath)
    .strings(5, doc.schemes)
    .strings(6, doc.consumes)
    .strings(7, doc.produces)
    .message(
      8,
      paths &&
        new Message()
          .messages(1, vendorExtensions(paths))
          .messages(
            2,
            named(Object.fromEntries(Object.entries(paths).filter(([k]) => !k.startsWith("x-"))), pathItem),
          ),
    )
    .message(
      9,
      isObject(doc.definitions) ? new Message().messages(1, named(doc.definitions, schema)) : undefined,
    )
    .message(
      10,
      isObject(doc.parameters) ? new Message().messages(1, named(doc.parameters, parameter)) : undefined,
    )
    .message(
      11,
      isObject(doc.responses)
        ? new Message().messages(
            1,
            named(doc.responses, (r) => responseOf(isObject(r) ? r : {})),
          )
        : undefined,
    )
    .messages(12, Array.isArray(doc.security) ? doc.security.map(securityRequirement) : [])
    .message(
      13,
      isObject(doc.securityDefinitions)
        ? new Message().messages(1, named(doc.securityDefinitions, securityScheme))
        : undefined,
    )
    .messages(
      14,
      Array.isArray(doc.tags)
        ? doc.tags.map((t) =>
            new Message()
              .string(1, isObject(t) ? t.name : "")
              .string(2, isObject(t) ? t.description : "")
              .message(3, externalDocs(isObject(t) ? t.externalDocs : undefined))
              .messages(4, isObject(t) ? vendorExtensions(t) : []),
          )
        : [],
    )
    .message(15, externalDocs(doc.externalDocs))
    .messages(16, vendorExtensions(doc))
    .bytes();
}
