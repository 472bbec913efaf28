// k8ts dashboard: the browser side. A plain ES module with no build step and no dependencies.
// Everything shown comes from the cluster and is untrusted, so the DOM is built with createElement and
// textContent only (see h()), never from HTML strings.

const TOKEN_KEY = "k8ts-dashboard.token";
const SKIP_KEY = "k8ts-dashboard.skip";
const CSRF = { "X-Requested-With": "k8ts-dashboard" };
const TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const DISCOVERY_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
const DELETE_BODY = JSON.stringify({
  kind: "DeleteOptions",
  apiVersion: "v1",
  propagationPolicy: "Background",
});
const IGNORED_GROUPS = new Set(["authentication.k8s.io", "authorization.k8s.io"]);
const RBAC = "rbac.authorization.k8s.io";

// The sidebar sections of the upstream Kubernetes Dashboard, by "<resource>[.<group>]".
const SIDEBAR = [
  [
    "Workloads",
    `cronjobs.batch daemonsets.apps deployments.apps jobs.batch pods replicasets.apps
     replicationcontrollers statefulsets.apps`,
  ],
  [
    "Service",
    "ingresses.networking.k8s.io ingressclasses.networking.k8s.io services endpointslices.discovery.k8s.io",
  ],
  ["Config and Storage", "configmaps persistentvolumeclaims secrets storageclasses.storage.k8s.io"],
  [
    "Cluster",
    `clusterrolebindings.${RBAC} clusterroles.${RBAC} events namespaces networkpolicies.networking.k8s.io
     nodes persistentvolumes rolebindings.${RBAC} roles.${RBAC} serviceaccounts leases.coordination.k8s.io`,
  ],
  ["Custom Resource Definitions", "customresourcedefinitions.apiextensions.k8s.io"],
].map(([title, keys]) => [title, keys.trim().split(/\s+/)]);
const LISTED = new Set(SIDEBAR.flatMap(([, keys]) => keys));
// events.k8s.io's Events are the core Events of the Cluster section, seen through another version.
const DUPLICATES = new Set(["events.events.k8s.io"]);
// Kubernetes' own groups: their other kinds go under "More", everything else under "Custom resources".
const isBuiltinGroup = (g) =>
  ["", "apps", "batch", "autoscaling", "policy"].includes(g) || g.endsWith(".k8s.io");

const state = {
  config: { skipLoginAllowed: false },
  user: null,
  namespace: "default",
  namespaces: [],
  namespaceText: false, // true when namespaces cannot be listed: a free-text field replaces the select
  resources: [],
  discovery: Promise.resolve(),
  frame: null,
  view: null, // AbortController of the view on screen
  activeKey: "",
  afterLogin: "#/overview",
};

// ---------- DOM helpers ----------

const PROPS = new Set(["value", "checked", "hidden", "disabled", "selected"]);

/** Builds an element: attributes via setAttribute (or a few properties), "on*" as listeners, children as text. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (PROPS.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

const enc = encodeURIComponent;

function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function parseJSON(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Resolves true after ms, or false as soon as the signal aborts. */
function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve(false);
    const timer = setTimeout(() => resolve(!signal.aborted), ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve(false);
      },
      { once: true },
    );
  });
}

/** Runs fn every ms until the view goes away; one run at a time, failures already reported by api(). */
async function repeat(signal, ms, fn) {
  while (await sleep(ms, signal)) {
    try {
      await fn();
    } catch {
      // Reported in the banner; try again next round.
    }
  }
}

/** kubectl's HumanDuration: "45s", "5m30s", "3h", "4d", "2y". */
function humanDuration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const hrs = Math.floor(m / 60);
  if (hrs < 8) return m % 60 ? `${hrs}h${m % 60}m` : `${hrs}h`;
  if (hrs < 48) return `${hrs}h`;
  const d = Math.floor(hrs / 24);
  if (hrs < 192) return hrs % 24 ? `${d}d${hrs % 24}h` : `${d}d`;
  if (d < 730) return `${d}d`;
  const y = Math.floor(d / 365);
  return d < 365 * 8 && d % 365 ? `${y}y${d % 365}d` : `${y}y`;
}

function age(timestamp) {
  const t = Date.parse(timestamp ?? "");
  return Number.isNaN(t) ? "<unknown>" : humanDuration((Date.now() - t) / 1000);
}

// ---------- session and requests ----------

const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  skipped: () => sessionStorage.getItem(SKIP_KEY) === "1",
  signedIn: () => Boolean(session.token()) || session.skipped(),
  clear() {
    sessionStorage.removeItem(TOKEN_KEY);
    sessionStorage.removeItem(SKIP_KEY);
    state.user = null;
  },
};

class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

const isAbort = (err) => err?.name === "AbortError";

/** The Status message of a failed response, or something readable when the body is not a Status. */
async function statusMessage(res) {
  const text = await res.text().catch(() => "");
  const body = parseJSON(text);
  if (typeof body?.message === "string" && body.message) return body.message;
  return `${res.status} ${res.statusText}${text ? `: ${text.slice(0, 300)}` : ""}`;
}

/**
 * fetch() with the CSRF header and the session's bearer token. Failures throw an ApiError carrying the Status
 * message, which also goes to the error banner unless opts.quiet; a 401 ends the session.
 */
async function api(path, opts = {}) {
  const headers = { ...CSRF };
  const token = session.token();
  if (token && !opts.noAuth) headers.Authorization = `Bearer ${token}`;
  if (opts.accept) headers.Accept = opts.accept;
  if (opts.contentType) headers["Content-Type"] = opts.contentType;
  let res;
  try {
    res = await fetch(path, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body,
      signal: opts.signal,
      cache: "no-store",
    });
  } catch (err) {
    if (isAbort(err)) throw err;
    const failure = new ApiError(`cannot reach the dashboard: ${err.message}`, 0);
    if (!opts.quiet) showError(failure.message);
    throw failure;
  }
  if (res.ok) return res;
  const message = await statusMessage(res);
  if (res.status === 401 && !opts.noAuth) {
    expireSession();
  } else if (!opts.quiet) {
    showError(message);
  }
  throw new ApiError(message, res.status);
}

async function getJSON(path, opts = {}) {
  const res = await api(path, { accept: "application/json", ...opts });
  return res.json();
}

async function getText(path, opts = {}) {
  const res = await api(path, opts);
  return res.text();
}

/** Yields the lines of a streamed response body (watch events, followed logs). */
async function* lines(res) {
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let nl = buffer.indexOf("\n");
      while (nl >= 0) {
        yield buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    }
    buffer += decoder.decode();
    if (buffer) yield buffer;
  } finally {
    reader.cancel().catch(() => {});
  }
}

function showError(message) {
  const banner = state.frame?.error;
  if (!banner) return;
  banner.textContent = message;
  banner.hidden = !message;
}

function expireSession() {
  const here = location.hash;
  session.clear();
  if (here.startsWith("#/login")) return;
  state.afterLogin = here || "#/overview";
  location.hash = "#/login";
}

function signOut() {
  session.clear();
  state.afterLogin = "#/overview";
  location.hash = "#/login";
}

async function loadUser() {
  try {
    const body = await getJSON("/dashboard/whoami", { quiet: true });
    state.user = body.user ?? null;
  } catch {
    return;
  }
  showUser();
}

function showUser() {
  const el = state.frame?.user;
  if (!el) return;
  el.textContent = state.user?.username || (session.skipped() ? "(dashboard identity)" : "");
  el.title = (state.user?.groups ?? []).join(", ");
}

// ---------- discovery and paths ----------

/** Reads aggregated discovery (core and groups) into state.resources, one entry per top-level resource. */
async function loadDiscovery() {
  const answers = await Promise.allSettled(
    ["/k8s/api", "/k8s/apis"].map((p) => getJSON(p, { accept: DISCOVERY_ACCEPT })),
  );
  const resources = [];
  for (const answer of answers) {
    if (answer.status !== "fulfilled") continue;
    for (const group of answer.value?.items ?? []) {
      const name = group.metadata?.name ?? "";
      const version = group.versions?.[0]; // the preferred version comes first
      if (!version || IGNORED_GROUPS.has(name)) continue;
      for (const r of version.resources ?? []) {
        if (!r.resource || r.resource.includes("/")) continue;
        resources.push({
          group: name,
          version: version.version,
          resource: r.resource,
          kind: r.responseKind?.kind ?? "",
          namespaced: r.scope === "Namespaced",
          verbs: r.verbs ?? [],
          subresources: (r.subresources ?? []).map((s) => s.subresource),
          key: name ? `${r.resource}.${name}` : r.resource,
        });
      }
    }
  }
  state.resources = resources;
}

function refreshDiscovery() {
  state.discovery = loadDiscovery()
    .then(renderSidebar)
    .catch(() => {});
  return state.discovery;
}

/** The discovered resource a route names; discovery is re-read once for resources it does not know yet. */
async function resolveResource(groupSeg, version, resource) {
  const group = groupSeg === "core" ? "" : (groupSeg ?? "");
  const find = () => state.resources.find((r) => r.group === group && r.resource === resource);
  await state.discovery;
  if (!find()) await refreshDiscovery();
  const found = find();
  return found ? { ...found, version: version || found.version } : null;
}

function pluralKind(kind) {
  if (/[^aeiou]y$/i.test(kind)) return `${kind.slice(0, -1)}ies`;
  if (/(s|x|z|ch|sh)$/i.test(kind)) return `${kind}es`;
  return `${kind}s`;
}

function resourceLabel(res) {
  const name = !res.kind
    ? res.resource
    : res.kind.toLowerCase() === res.resource
      ? res.kind
      : pluralKind(res.kind);
  return name.charAt(0).toUpperCase() + name.slice(1);
}

function basePath(res) {
  return res.group ? `/k8s/apis/${enc(res.group)}/${enc(res.version)}` : `/k8s/api/${enc(res.version)}`;
}

function collectionPath(res, ns) {
  const scope = res.namespaced && ns ? `/namespaces/${enc(ns)}` : "";
  return `${basePath(res)}${scope}/${enc(res.resource)}`;
}

function objectPath(res, ns, name) {
  return `${collectionPath(res, ns)}/${enc(name)}`;
}

function routeBase(res) {
  return `${enc(res.group || "core")}/${enc(res.version)}/${enc(res.resource)}`;
}

function listHash(res, ns) {
  return `#/list/${routeBase(res)}?namespace=${enc(ns ?? "")}`;
}

function objectHash(res, ns, name) {
  return `#/object/${routeBase(res)}/${enc(res.namespaced && ns ? ns : "-")}/${enc(name)}`;
}

// ---------- frame: top bar, sidebar, namespace selector ----------

function ensureFrame() {
  if (state.frame) return state.frame;
  const nsBox = h("span", { class: "ns-box" });
  const user = h("span", { id: "user", class: "user" });
  const error = h("div", { id: "error", class: "error-banner", role: "alert", hidden: true });
  error.addEventListener("click", () => showError(""));
  const nav = h("nav", { id: "sidebar", class: "sidebar", "aria-label": "Resources" });
  const view = h("main", { id: "view", class: "view" });
  const root = h(
    "div",
    { class: "frame" },
    h(
      "header",
      { class: "topbar" },
      h("a", { class: "brand", href: "#/overview" }, "k8ts dashboard"),
      h("label", { class: "ns-label" }, h("span", {}, "Namespace"), nsBox),
      h("span", { class: "spacer" }),
      user,
      h("button", { id: "sign-out", type: "button", onclick: signOut }, "Sign out"),
    ),
    h("div", { class: "body" }, nav, h("div", { class: "content" }, error, view)),
  );
  document.getElementById("app").replaceChildren(root);
  state.frame = { nsBox, user, error, nav, view };
  showUser();
  renderNamespaceControl();
  renderSidebar();
  refreshDiscovery();
  loadNamespaces();
  // Kinds come and go with CRDs and aggregated APIs: read discovery again from time to time, as kubectl does.
  setInterval(() => {
    if (session.signedIn()) refreshDiscovery();
  }, 30_000);
  return state.frame;
}

async function loadNamespaces() {
  try {
    const list = await getJSON("/k8s/api/v1/namespaces", { quiet: true });
    state.namespaces = (list.items ?? []).map((n) => n.metadata?.name).filter(Boolean);
    state.namespaceText = false;
  } catch (err) {
    if (err.code === 401) return;
    state.namespaceText = true; // e.g. 403: the user may still work in namespaces they know by name
  }
  renderNamespaceControl();
}

function renderNamespaceControl() {
  if (!state.frame) return;
  const current = state.namespace;
  let control;
  if (state.namespaceText) {
    control = h("input", {
      id: "namespace",
      type: "text",
      placeholder: "all namespaces",
      spellcheck: "false",
      value: current,
      onchange: (e) => setNamespace(e.target.value.trim()),
    });
  } else {
    const names = [...new Set([...state.namespaces, ...(current ? [current] : [])])].sort();
    control = h(
      "select",
      { id: "namespace", onchange: (e) => setNamespace(e.target.value) },
      h("option", { value: "" }, "All namespaces"),
      names.map((n) => h("option", { value: n }, n)),
    );
    control.value = current;
  }
  state.frame.nsBox.replaceChildren(control);
}

function syncNamespaceControl() {
  const control = state.frame?.nsBox.firstElementChild;
  if (!control || control.value !== state.namespace) renderNamespaceControl();
}

/** A new namespace choice: list and overview views are re-routed, other views just keep it for later. */
function setNamespace(ns) {
  state.namespace = ns;
  const { view, segments } = parseHash();
  if (view === "list" || view === "overview") {
    location.hash = `#/${segments.map(enc).join("/")}?namespace=${enc(ns)}`;
  } else {
    renderSidebar();
  }
}

function renderSidebar() {
  const nav = state.frame?.nav;
  if (!nav) return;
  const listable = new Map(state.resources.filter((r) => r.verbs.includes("list")).map((r) => [r.key, r]));
  const sections = SIDEBAR.map(([title, keys]) => [title, keys.map((k) => listable.get(k)).filter(Boolean)]);
  const rest = [...listable.values()]
    .filter((r) => !LISTED.has(r.key) && !DUPLICATES.has(r.key))
    .sort((a, b) => resourceLabel(a).localeCompare(resourceLabel(b)) || a.group.localeCompare(b.group));
  sections.push(["More", rest.filter((r) => isBuiltinGroup(r.group))]);
  sections.push(["Custom resources", rest.filter((r) => !isBuiltinGroup(r.group))]);
  const link = (r) =>
    h("a", { "data-resource": r.key, href: listHash(r, state.namespace), title: r.key }, resourceLabel(r));
  nav.replaceChildren(
    h(
      "div",
      { class: "nav-top" },
      h("a", { href: "#/overview", "data-view": "overview" }, "Overview"),
      h("a", { href: "#/create", "data-view": "create" }, "Create"),
    ),
    ...sections
      .filter(([, list]) => list.length)
      .map(([title, list]) => h("section", {}, h("h3", {}, title), list.map(link))),
  );
  markActive(state.activeKey);
}

function markActive(key) {
  state.activeKey = key;
  for (const a of state.frame?.nav.querySelectorAll("a") ?? []) {
    const id = a.dataset.resource ?? a.dataset.view;
    a.classList.toggle("active", id === key);
  }
}

// ---------- routing ----------

function parseHash() {
  const raw = location.hash.replace(/^#/, "");
  const q = raw.indexOf("?");
  const path = q < 0 ? raw : raw.slice(0, q);
  const segments = path.split("/").filter(Boolean).map(safeDecode);
  return { view: segments[0] ?? "", segments, query: new URLSearchParams(q < 0 ? "" : raw.slice(q + 1)) };
}

async function route() {
  const { view, segments, query } = parseHash();
  if (view === "login") return showLogin();
  if (!session.signedIn()) {
    state.afterLogin = location.hash || "#/overview";
    location.hash = "#/login";
    return;
  }
  if (!view) {
    location.hash = "#/overview";
    return;
  }
  // List views without a namespace in the query show all namespaces.
  if (query.has("namespace")) state.namespace = query.get("namespace");
  else if (view === "list") state.namespace = "";

  const frame = ensureFrame();
  state.view?.abort();
  const ctrl = new AbortController();
  state.view = ctrl;
  showError("");
  syncNamespaceControl();
  renderSidebar();
  markActive(view === "overview" || view === "create" ? view : "");
  const el = h("div", { class: "page" });
  frame.view.replaceChildren(el);
  const ctx = { signal: ctrl.signal, el };
  try {
    if (view === "overview") await overviewView(ctx);
    else if (view === "list") await listView(ctx, segments.slice(1));
    else if (view === "object") await objectView(ctx, segments.slice(1));
    else if (view === "create") createView(ctx);
    else el.append(h("h1", {}, "Not found"), h("p", {}, "There is no such page."));
  } catch (err) {
    if (!isAbort(err) && !ctrl.signal.aborted) el.append(h("p", { class: "view-error" }, err.message));
  }
}

// ---------- login ----------

function showLogin() {
  state.view?.abort();
  state.view = null;
  state.frame = null;
  const token = h("textarea", {
    id: "token",
    rows: 6,
    placeholder: "Paste a bearer token",
    spellcheck: "false",
    autocomplete: "off",
  });
  const error = h("p", { id: "login-error", class: "login-error", role: "alert" });
  const login = h("button", { id: "login", type: "button", class: "primary" }, "Sign in");
  const submit = () => signIn(token.value.trim(), error, login);
  login.addEventListener("click", submit);
  token.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) submit();
  });
  const skip = state.config.skipLoginAllowed
    ? h("button", { id: "skip-login", type: "button", onclick: skipLogin }, "Skip")
    : null;
  const card = h(
    "div",
    { class: "login-card" },
    h("h1", {}, "k8ts dashboard"),
    h("label", { for: "token" }, "Bearer token"),
    token,
    h(
      "p",
      { class: "hint" },
      "Get one with ",
      h("code", {}, "kubectl -n kube-system create token dashboard-admin"),
    ),
    error,
    h("div", { class: "actions" }, login, skip),
  );
  document.getElementById("app").replaceChildren(h("div", { class: "login-page" }, card));
  token.focus();
}

async function signIn(token, errorEl, button) {
  errorEl.textContent = "";
  if (!token) {
    errorEl.textContent = "Paste a token first.";
    return;
  }
  button.disabled = true;
  try {
    const body = await getJSON("/dashboard/login", {
      method: "POST",
      noAuth: true,
      quiet: true,
      contentType: "application/json",
      body: JSON.stringify({ token }),
    });
    sessionStorage.setItem(TOKEN_KEY, token);
    sessionStorage.removeItem(SKIP_KEY);
    state.user = body.user ?? null;
    enterApp();
  } catch (err) {
    errorEl.textContent = err.message;
  } finally {
    button.disabled = false;
  }
}

function skipLogin() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.setItem(SKIP_KEY, "1");
  state.user = null;
  enterApp();
  loadUser(); // the backend's own identity
}

function enterApp() {
  const target = state.afterLogin.startsWith("#/login") ? "#/overview" : state.afterLogin;
  state.afterLogin = "#/overview";
  location.hash = target || "#/overview";
}

// ---------- overview ----------

const QUANTITY_SUFFIXES = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
  Ti: 1024 ** 4,
};

/** A resource quantity ("250m", "1828742117n", "512Mi") as a number; 0 when it is not one. */
function quantity(q) {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q ?? "");
  const factor = m ? QUANTITY_SUFFIXES[m[2]] : undefined;
  return factor === undefined ? 0 : Number(m[1]) * factor;
}

function card(id, title) {
  const value = h("span", { class: "card-value" }, "…");
  return {
    el: h("div", { id, class: "card" }, h("span", { class: "card-title" }, title), " ", value),
    value,
  };
}

/**
 * Fills one card from a JSON list; a failure shows on the card, and in the
 * banner unless quiet (an optional API, such as metrics.k8s.io).
 */
async function fillCard(c, path, signal, summarize, quiet = false) {
  try {
    const list = await getJSON(path, { signal, quiet });
    c.value.textContent = summarize(list.items ?? []);
    c.value.title = "";
  } catch (err) {
    if (isAbort(err)) return;
    c.value.textContent = "unavailable";
    c.value.title = err.message;
  }
}

async function overviewView(ctx) {
  const ns = state.namespace;
  const scope = ns ? `/namespaces/${enc(ns)}` : "";
  const nodes = card("overview-nodes", "Nodes");
  const pods = card("overview-pods", "Pods");
  const deployments = card("overview-deployments", "Deployments");
  const usage = card("overview-usage", "Node usage");
  ctx.el.append(
    h("h1", {}, "Overview"),
    h("p", { class: "muted" }, ns ? `Namespace ${ns}` : "All namespaces"),
    h("div", { class: "cards" }, nodes.el, pods.el, deployments.el, usage.el),
  );
  const refresh = () =>
    Promise.all([
      fillCard(nodes, "/k8s/api/v1/nodes", ctx.signal, (items) => {
        const ready = items.filter((n) =>
          (n.status?.conditions ?? []).some((c) => c.type === "Ready" && c.status === "True"),
        );
        return `${ready.length}/${items.length} Ready`;
      }),
      fillCard(pods, `/k8s/api/v1${scope}/pods`, ctx.signal, (items) => {
        const count = (phase) => items.filter((p) => p.status?.phase === phase).length;
        return ["Running", "Pending", "Succeeded", "Failed"].map((p) => `${count(p)} ${p}`).join(", ");
      }),
      fillCard(deployments, `/k8s/apis/apps/v1${scope}/deployments`, ctx.signal, (items) => {
        const available = items.filter((d) => (d.status?.availableReplicas ?? 0) === (d.spec?.replicas ?? 1));
        return `${available.length}/${items.length} Available`;
      }),
      // What kubectl top node adds up; metrics-server may not run, so no banner when it is missing.
      fillCard(
        usage,
        "/k8s/apis/metrics.k8s.io/v1beta1/nodes",
        ctx.signal,
        (items) => {
          // metrics-server lists a node once it has two scrapes of it.
          if (items.length === 0) return "no figures yet";
          const cpu = items.reduce((sum, m) => sum + quantity(m.usage?.cpu), 0);
          const memory = items.reduce((sum, m) => sum + quantity(m.usage?.memory), 0);
          const nodes = `${items.length} node${items.length === 1 ? "" : "s"}`;
          return `${Math.round(cpu * 1000)}m CPU, ${Math.round(memory / 1024 ** 2)}Mi memory (${nodes})`;
        },
        true,
      ),
    ]);
  await refresh();
  repeat(ctx.signal, 10000, refresh);
}

// ---------- tables ----------

const rowMeta = (row) => row.object?.metadata ?? {};
const rowName = (row) => rowMeta(row).name ?? "";
const rowNamespace = (row) => rowMeta(row).namespace ?? "";
const rowUid = (row) => rowMeta(row).uid ?? `${rowNamespace(row)}/${rowName(row)}`;

function compareRows(a, b) {
  const [an, bn, aa, ba] = [rowNamespace(a), rowNamespace(b), rowName(a), rowName(b)];
  if (an !== bn) return an < bn ? -1 : 1;
  return aa < ba ? -1 : aa > ba ? 1 : 0;
}

/** A Table as the apiserver sends it, or a plain list/object made into one (NAME, AGE) if it ignored our Accept. */
function toTable(obj) {
  if (obj?.kind === "Table") return obj;
  const isList = Array.isArray(obj?.items) || /List$/.test(obj?.kind ?? "");
  const items = isList ? (obj.items ?? []) : obj?.metadata ? [obj] : [];
  return {
    kind: "Table",
    metadata: isList ? (obj.metadata ?? {}) : {},
    columnDefinitions: [
      { name: "Name", type: "string", format: "name", priority: 0 },
      { name: "Age", type: "string", format: "", priority: 0 },
    ],
    rows: items.map((item) => ({
      cells: [item.metadata?.name ?? "", age(item.metadata?.creationTimestamp)],
      object: item,
    })),
  };
}

function cellText(cell) {
  if (cell === null || cell === undefined) return "<none>";
  return typeof cell === "object" ? JSON.stringify(cell) : String(cell);
}

/**
 * Renders a Table's priority-0 columns into a <table>, headers upper-cased like kubectl. With
 * opts.namespaceColumn a NAMESPACE column comes first (kubectl get -A); opts.nameHref links the Name cell.
 */
function drawTable(table, columns, rows, opts) {
  const visible = columns.map((c, i) => [c, i]).filter(([c]) => (c.priority ?? 0) === 0);
  let nameIndex = columns.findIndex((c) => c.format === "name");
  if (nameIndex < 0) nameIndex = columns.findIndex((c) => c.name === "Name");
  const headers = visible.map(([c]) => h("th", { scope: "col", title: c.description }, c.name.toUpperCase()));
  if (opts.namespaceColumn) headers.unshift(h("th", { scope: "col" }, "NAMESPACE"));
  const body = rows.map((row) => {
    const cells = visible.map(([, i]) => {
      const text = cellText(row.cells?.[i]);
      const linked = i === nameIndex && opts.nameHref && rowName(row);
      return h("td", {}, linked ? h("a", { href: opts.nameHref(row) }, text) : text);
    });
    if (opts.namespaceColumn) cells.unshift(h("td", {}, rowNamespace(row)));
    return h("tr", { "data-name": rowName(row), "data-namespace": rowNamespace(row) }, cells);
  });
  if (!rows.length) {
    body.push(h("tr", { class: "empty" }, h("td", { colspan: Math.max(headers.length, 1) }, opts.empty)));
  }
  table.replaceChildren(h("thead", {}, h("tr", {}, headers)), h("tbody", {}, body));
}

// ---------- list view ----------

async function listView(ctx, [groupSeg, version, resource]) {
  const res = await resolveResource(groupSeg, version, resource);
  if (ctx.signal.aborted) return;
  if (!res) {
    ctx.el.append(
      h("h1", {}, resource ?? "Unknown"),
      h("p", {}, "The cluster does not serve this resource."),
    );
    return;
  }
  markActive(res.key);
  const ns = res.namespaced ? state.namespace : "";
  const table = h("table", { id: "resource-table", class: "data" });
  const status = h("p", { class: "view-error" });
  ctx.el.append(
    h("h1", {}, resourceLabel(res)),
    h(
      "p",
      { class: "muted" },
      !res.namespaced ? "Cluster-scoped" : ns ? `Namespace ${ns}` : "All namespaces",
    ),
    status,
    h("div", { class: "table-wrap" }, table),
  );
  const model = { columns: [], rows: [] };
  const draw = () =>
    drawTable(table, model.columns, model.rows, {
      empty: "No resources found",
      namespaceColumn: res.namespaced && !ns,
      nameHref: (row) => objectHash(res, rowNamespace(row), rowName(row)),
    });
  listAndWatch(collectionPath(res, ns), model, draw, status, ctx.signal);
}

/** List, then watch from the list's resourceVersion; re-list whenever the watch ends or fails. */
async function listAndWatch(path, model, draw, status, signal) {
  while (!signal.aborted) {
    let pause = 1000;
    try {
      const table = toTable(await getJSON(path, { accept: TABLE_ACCEPT, signal }));
      model.columns = table.columnDefinitions ?? [];
      model.rows = (table.rows ?? []).slice().sort(compareRows);
      status.textContent = "";
      draw();
      await watchRows(path, table.metadata?.resourceVersion ?? "", model, draw, signal);
    } catch (err) {
      if (signal.aborted || isAbort(err)) return;
      status.textContent = err.message;
      pause = 5000; // the list itself failed: do not hammer the apiserver
    }
    if (!(await sleep(pause, signal))) return;
  }
}

async function watchRows(path, resourceVersion, model, draw, signal) {
  const params = new URLSearchParams({ watch: "1" });
  if (resourceVersion) params.set("resourceVersion", resourceVersion);
  params.set("allowWatchBookmarks", "true");
  const res = await api(`${path}?${params}`, { accept: TABLE_ACCEPT, signal, quiet: true });
  for await (const line of lines(res)) {
    const event = line.trim() ? parseJSON(line) : undefined;
    if (!event || event.type === "BOOKMARK") continue;
    if (event.type === "ERROR") return; // e.g. 410 Gone: the caller re-lists
    for (const row of toTable(event.object).rows ?? []) applyWatchEvent(model, event.type, row);
    draw();
  }
}

function applyWatchEvent(model, type, row) {
  const uid = rowUid(row);
  const index = model.rows.findIndex((r) => rowUid(r) === uid);
  if (type === "DELETED") {
    if (index >= 0) model.rows.splice(index, 1);
    return;
  }
  if (type !== "ADDED" && type !== "MODIFIED") return;
  if (index >= 0) model.rows[index] = row;
  else model.rows.push(row);
  model.rows.sort(compareRows);
}

// ---------- detail view ----------

async function objectView(ctx, [groupSeg, version, resource, nsSeg, name]) {
  const res = await resolveResource(groupSeg, version, resource);
  if (ctx.signal.aborted) return;
  if (!res || !name) {
    ctx.el.append(h("h1", {}, name ?? "Unknown"), h("p", {}, "The cluster does not serve this resource."));
    return;
  }
  markActive(res.key);
  const { signal } = ctx;
  const ns = res.namespaced && nsSeg !== "-" ? nsSeg : "";
  const path = objectPath(res, ns, name);
  const hasScale = res.subresources.includes("scale");
  const [obj, yaml, scale] = await Promise.all([
    getJSON(path, { signal }),
    getText(path, { accept: "application/yaml", signal }),
    hasScale ? getJSON(`${path}/scale`, { signal }).catch(() => null) : null,
  ]);
  if (signal.aborted) return;

  const detail = { res, ns, name, path, signal, editing: false, yaml };
  detail.pre = h("pre", { id: "object-yaml", class: "code" }, yaml);
  detail.meta = h("dl", { class: "meta" });
  detail.events = h("table", { id: "events-table", class: "data" });
  renderMeta(detail.meta, obj);

  const parts = [
    h("p", { class: "crumb" }, h("a", { href: listHash(res, state.namespace) }, resourceLabel(res))),
    h("h1", {}, `${obj.kind || res.kind} ${name}`),
    actionsBar(detail),
    hasScale ? scaleSection(detail, scale, obj) : null,
    detail.meta,
    h("section", {}, h("h2", {}, "YAML"), detail.pre),
    h("section", {}, h("h2", {}, "Events"), h("div", { class: "table-wrap" }, detail.events)),
    res.group === "" && res.resource === "pods" ? logsSection(detail, obj) : null,
  ].filter(Boolean);
  ctx.el.append(...parts);
  await loadEvents(detail, obj.metadata?.uid).catch(() => {});
  repeat(signal, 5000, () => refreshObject(detail));
}

/** The periodic refresh: metadata, YAML (left alone while the editor is open) and events. */
async function refreshObject(detail) {
  const { path, signal } = detail;
  const obj = await getJSON(path, { signal });
  renderMeta(detail.meta, obj);
  const yaml = await getText(path, { accept: "application/yaml", signal });
  if (!detail.editing) setYaml(detail, yaml);
  await loadEvents(detail, obj.metadata?.uid);
}

function setYaml(detail, yaml) {
  detail.yaml = yaml;
  if (detail.pre.textContent !== yaml) detail.pre.textContent = yaml;
}

function renderMeta(dl, obj) {
  const m = obj.metadata ?? {};
  const labels = Object.entries(m.labels ?? {});
  const created = m.creationTimestamp ? `${m.creationTimestamp} (${age(m.creationTimestamp)} ago)` : "";
  const row = (term, ...value) => [h("dt", {}, term), h("dd", {}, ...value)];
  dl.replaceChildren(
    ...(m.namespace ? row("Namespace", m.namespace) : []),
    ...row("UID", m.uid ?? ""),
    ...row("Created", created),
    ...row(
      "Labels",
      labels.length
        ? labels.map(([k, v]) => h("span", { class: "chip" }, `${k}=${v}`))
        : h("span", { class: "muted" }, "none"),
    ),
  );
}

async function loadEvents(detail, uid) {
  if (!uid) return;
  const scope = detail.ns ? `/namespaces/${enc(detail.ns)}` : "";
  const selector = enc(`involvedObject.uid=${uid}`);
  const table = toTable(
    await getJSON(`/k8s/api/v1${scope}/events?fieldSelector=${selector}`, {
      accept: TABLE_ACCEPT,
      signal: detail.signal,
    }),
  );
  drawTable(detail.events, table.columnDefinitions ?? [], table.rows ?? [], { empty: "No events" });
}

function actionsBar(detail) {
  const bar = h("div", { class: "actions" });
  const edit = h("button", { id: "edit", type: "button" }, "Edit");
  edit.addEventListener("click", () => openEditor(detail, edit));
  const confirm = h("button", { id: "delete-confirm", type: "button", class: "danger" }, "Really delete?");
  confirm.addEventListener("click", async () => {
    confirm.disabled = true;
    try {
      // No view signal: leaving the page must not half-cancel a delete.
      await api(detail.path, {
        method: "DELETE",
        accept: "application/json",
        contentType: "application/json",
        body: DELETE_BODY,
      });
      location.hash = listHash(detail.res, state.namespace);
    } catch {
      confirm.disabled = false;
    }
  });
  const del = h("button", { id: "delete", type: "button", class: "danger-outline" }, "Delete");
  del.addEventListener("click", () => {
    if (!confirm.isConnected) bar.append(confirm);
  });
  bar.append(edit, del);
  return bar;
}

function openEditor(detail, editButton) {
  if (detail.editing) return;
  detail.editing = true;
  editButton.disabled = true;
  const editor = h("textarea", { id: "editor", class: "code", spellcheck: "false" });
  editor.value = detail.yaml;
  const error = h("p", { class: "view-error", role: "alert" });
  const save = h("button", { id: "save", type: "button", class: "primary" }, "Save");
  const cancel = h("button", { id: "cancel", type: "button" }, "Cancel");
  const box = h("div", { class: "editor-box" }, editor, h("div", { class: "actions" }, save, cancel), error);
  const close = () => {
    box.replaceWith(detail.pre);
    detail.editing = false;
    editButton.disabled = false;
  };
  cancel.addEventListener("click", close);
  save.addEventListener("click", async () => {
    save.disabled = true;
    error.textContent = "";
    try {
      const res = await api(detail.path, {
        method: "PUT",
        accept: "application/yaml",
        contentType: "application/yaml",
        body: editor.value,
      });
      const text = await res.text();
      const isYaml = /yaml/.test(res.headers.get("Content-Type") ?? "");
      setYaml(detail, isYaml ? text : await getText(detail.path, { accept: "application/yaml" }));
      close();
    } catch (err) {
      error.textContent = err.message; // e.g. a 409 Conflict: the object changed since it was loaded
    } finally {
      save.disabled = false;
    }
  });
  detail.pre.replaceWith(box);
  editor.focus();
}

function scaleSection(detail, scale, obj) {
  const current = scale?.spec?.replicas ?? obj.spec?.replicas ?? 0;
  const input = h("input", {
    id: "scale-replicas",
    type: "number",
    min: "0",
    step: "1",
    value: String(current),
  });
  const status = h("span", { id: "scale-status", class: "muted" });
  const button = h("button", { id: "scale", type: "button" }, "Scale");
  button.addEventListener("click", async () => {
    const replicas = Number(input.value);
    if (!Number.isInteger(replicas) || replicas < 0) {
      status.textContent = "Replicas must be a whole number, 0 or more.";
      return;
    }
    button.disabled = true;
    try {
      const res = await getJSON(`${detail.path}/scale`, {
        method: "PATCH",
        contentType: "application/merge-patch+json",
        body: JSON.stringify({ spec: { replicas } }),
      });
      const now = res.spec?.replicas ?? replicas;
      input.value = String(now);
      status.textContent = `Scaled to ${now}`;
      refreshObject(detail).catch(() => {});
    } catch (err) {
      status.textContent = err.message;
    } finally {
      button.disabled = false;
    }
  });
  return h(
    "section",
    { class: "scale" },
    h("label", { for: "scale-replicas" }, "Replicas"),
    input,
    button,
    status,
  );
}

// ---------- pod logs ----------

function logsSection(detail, pod) {
  const spec = pod.spec ?? {};
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name);
  const select = h(
    "select",
    { id: "logs-container" },
    containers.map((c) => h("option", { value: c }, c)),
  );
  select.value = spec.containers?.[0]?.name ?? containers[0] ?? ""; // kubectl's default container
  const follow = h("input", { type: "checkbox", id: "logs-follow" });
  const out = h("pre", { id: "logs", class: "code logs" });
  let current = null;
  const load = () => {
    current?.abort();
    current = new AbortController();
    streamLogs(detail, select.value, follow.checked, out, AbortSignal.any([detail.signal, current.signal]));
  };
  select.addEventListener("change", load);
  follow.addEventListener("change", load);
  load();
  return h(
    "section",
    {},
    h("h2", {}, "Logs"),
    h(
      "div",
      { class: "logs-controls" },
      h("label", { for: "logs-container" }, "Container"),
      select,
      h("label", { class: "check" }, follow, " Follow"),
    ),
    out,
  );
}

async function streamLogs(detail, container, follow, out, signal) {
  out.textContent = "";
  const params = new URLSearchParams();
  if (container) params.set("container", container);
  params.set("tailLines", "500");
  if (follow) params.set("follow", "true");
  const path = `/k8s/api/v1/namespaces/${enc(detail.ns)}/pods/${enc(detail.name)}/log?${params}`;
  try {
    const res = await api(path, { accept: "text/plain", signal });
    if (!follow) {
      out.textContent = await res.text();
      return;
    }
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      appendLog(out, decoder.decode(value, { stream: true }));
    }
  } catch (err) {
    if (!isAbort(err) && !signal.aborted) out.textContent = err.message;
  }
}

/** Appends text, keeping the view pinned to the bottom if the reader was already there. */
function appendLog(out, text) {
  const atBottom = out.scrollTop + out.clientHeight >= out.scrollHeight - 24;
  out.append(text);
  if (atBottom) out.scrollTop = out.scrollHeight;
}

// ---------- create ----------

function createView(ctx) {
  const text = h("textarea", {
    id: "create-yaml",
    class: "code",
    spellcheck: "false",
    placeholder: "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: example\ndata:\n  key: value",
  });
  const results = h("ul", { id: "create-results", class: "results" });
  const button = h("button", { id: "create", type: "button", class: "primary" }, "Create");
  button.addEventListener("click", async () => {
    button.disabled = true;
    results.replaceChildren();
    try {
      const ns = state.namespace || "default";
      const body = await getJSON(`/dashboard/apply?namespace=${enc(ns)}`, {
        method: "POST",
        contentType: "application/yaml",
        body: text.value,
      });
      const items = body.results ?? [];
      results.replaceChildren(...items.map(resultItem));
      if (!items.length) results.append(h("li", { class: "muted" }, "Nothing to apply."));
      // New namespaces and CRDs show up in the selector and the sidebar.
      loadNamespaces();
      refreshDiscovery();
    } catch (err) {
      results.replaceChildren(h("li", { class: "error" }, err.message));
    } finally {
      button.disabled = false;
    }
  });
  ctx.el.append(
    h("h1", {}, "Create"),
    h(
      "p",
      { class: "muted" },
      "Paste one or more YAML documents. They are applied server-side; objects without a namespace go to the " +
        "selected namespace (default when All namespaces is selected).",
    ),
    text,
    h("div", { class: "actions" }, button),
    results,
  );
}

/** One apply result in kubectl's words: "deployment.apps/web created", "service/web configured". */
function resultItem(r) {
  const slash = (r.apiVersion ?? "").indexOf("/");
  const group = slash > 0 ? r.apiVersion.slice(0, slash) : "";
  if (r.error) {
    return h(
      "li",
      { class: "error" },
      `${r.kind}/${r.name}: ${r.error.message ?? r.error.reason ?? "failed"}`,
    );
  }
  const ref = `${(r.kind ?? "").toLowerCase()}${group ? `.${group}` : ""}/${r.name}`;
  const res = state.resources.find((x) => x.key === r.resource);
  const label = res ? h("a", { href: objectHash(res, r.namespace, r.name) }, ref) : ref;
  return h("li", { class: "ok" }, label, ` ${r.action}`);
}

// ---------- start ----------

async function start() {
  try {
    state.config = await getJSON("/dashboard/config", { noAuth: true, quiet: true });
  } catch {
    // Without the config, skipping the login is simply not offered.
  }
  // Who is signed in, and whether a stored token still works (a 401 leads to the login page).
  if (session.signedIn()) await loadUser();
  window.addEventListener("hashchange", route);
  route();
}

start();
