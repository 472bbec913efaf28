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

/** A JSON array's elements, each encoded; nothing for anything else. */
function each(list: unknown, encode: (v: unknown) => Message): Message[] {
  return Array.isArray(list) ? list.map(encode) : [];
}

/**
 * A map as gnostic's Named* pairs, in document order. Where the Swagger object is patterned (paths,
 * responses), its "x-" keys are vendor extensions, not entries: `patterned` leaves them out.
 */
function named(map: unknown, value: (v: unknown) => Message, patterned = false): Message[] {
  if (!isObject(map)) return [];
  return Object.entries(map)
    .filter(([name]) => !(patterned && name.startsWith("x-")))
    .map(([name, v]) => new Message().string(1, name).message(2, value(v)));
}

/** gnostic's wrapper of a map (Definitions, Properties, Headers…): its pairs in field 1; absent with the map. */
function namedMap(map: unknown, value: (v: unknown) => Message): Message | undefined {
  return isObject(map) ? new Message().messages(1, named(map, value)) : undefined;
}

/** gnostic's Any for each element (enum values). */
const anys = (list: unknown) => each(list, (v) => any(v)!);

function externalDocs(d: unknown): Message | undefined {
  if (!isObject(d)) return undefined;
  return new Message().string(1, d.description).string(2, d.url).messages(3, vendorExtensions(d));
}

/** JSON Schema's bounds, maximum to uniqueItems: ten fields that Schema and the primitive items number alike from `first`. */
function bounds(m: Message, o: Json, first: number): Message {
  return m
    .double(first, o.maximum)
    .bool(first + 1, o.exclusiveMaximum)
    .double(first + 2, o.minimum)
    .bool(first + 3, o.exclusiveMinimum)
    .int64(first + 4, o.maxLength)
    .int64(first + 5, o.minLength)
    .string(first + 6, o.pattern)
    .int64(first + 7, o.maxItems)
    .int64(first + 8, o.minItems)
    .bool(first + 9, o.uniqueItems);
}

function schema(s: unknown): Message {
  const o = isObject(s) ? s : {};
  const head = new Message()
    .string(1, o.$ref)
    .string(2, o.format)
    .string(3, o.title)
    .string(4, o.description)
    .message(5, any(o.default))
    .double(6, o.multipleOf);
  const m = bounds(head, o, 7)
    .int64(17, o.maxProperties)
    .int64(18, o.minProperties)
    .strings(19, o.required)
    .messages(20, anys(o.enum));
  if (typeof o.additionalProperties === "boolean") {
    m.message(21, new Message().oneofBool(2, o.additionalProperties));
  } else if (isObject(o.additionalProperties)) {
    m.message(21, new Message().message(1, schema(o.additionalProperties)));
  }
  if (o.type !== undefined)
    m.message(22, new Message().strings(1, Array.isArray(o.type) ? o.type : [o.type]));
  if (o.items !== undefined) {
    m.message(23, new Message().messages(1, each(Array.isArray(o.items) ? o.items : [o.items], schema)));
  }
  return m
    .messages(24, each(o.allOf, schema))
    .message(25, namedMap(o.properties, schema))
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
    .message(first + 4, any(o.default));
  bounds(m, o, first + 5)
    .messages(first + 15, anys(o.enum))
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
    .message(3, namedMap(r.headers, header))
    .message(
      4,
      namedMap(r.examples, (v) => any(v)!),
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
        .messages(1, named(op.responses, responseValue, true))
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
    .messages(8, each(op.parameters, parametersItem))
    .message(9, responses)
    .strings(10, op.schemes)
    .bool(11, op.deprecated)
    .messages(12, each(op.security, securityRequirement))
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
    .messages(9, each(o.parameters, parametersItem))
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

function tag(t: unknown): Message {
  const o = isObject(t) ? t : {};
  return new Message()
    .string(1, o.name)
    .string(2, o.description)
    .message(3, externalDocs(o.externalDocs))
    .messages(4, vendorExtensions(o));
}

function info(i: unknown): Message | undefined {
  if (!isObject(i)) return undefined;
  const contact = isObject(i.contact) ? i.contact : undefined;
  const license = isObject(i.license) ? i.license : undefined;
  return new Message()
    .string(1, i.title)
    .string(2, i.version)
    .string(3, i.description)
    .string(4, i.termsOfService)
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
        new Message().string(1, license.name).string(2, license.url).messages(3, vendorExtensions(license)),
    )
    .messages(7, vendorExtensions(i));
}

/** The Swagger 2.0 document `doc` as a serialized openapi.v2.Document. */
export function openAPIV2Proto(doc: Json): Buffer {
  const paths = isObject(doc.paths) ? doc.paths : undefined;
  return new Message()
    .string(1, doc.swagger)
    .message(2, info(doc.info))
    .string(3, doc.host)
    .string(4, doc.basePath)
    .strings(5, doc.schemes)
    .strings(6, doc.consumes)
    .strings(7, doc.produces)
    .message(
      8,
      paths && new Message().messages(1, vendorExtensions(paths)).messages(2, named(paths, pathItem, true)),
    )
    .message(9, namedMap(doc.definitions, schema))
    .message(10, namedMap(doc.parameters, parameter))
    .message(
      11,
      namedMap(doc.responses, (r) => responseOf(isObject(r) ? r : {})),
    )
    .messages(12, each(doc.security, securityRequirement))
    .message(13, namedMap(doc.securityDefinitions, securityScheme))
    .messages(14, each(doc.tags, tag))
    .message(15, externalDocs(doc.externalDocs))
    .messages(16, vendorExtensions(doc))
    .bytes();
}
