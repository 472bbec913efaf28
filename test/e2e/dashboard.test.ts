// The web dashboard of `k8ts up`, driven in a real browser (headless
// Chromium): sign in with a service account token from kubectl, watch a
// Deployment's row follow kubectl's changes, scale, create from YAML, edit
// and delete through the UI, and see each change with kubectl.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Browser, type BrowserPage, launchBrowser } from "../support/browser.ts";
import { type Cluster, startCluster } from "./harness.ts";

let cluster: Cluster;
let browser: Browser;
let page: BrowserPage;
let url: string;

/** The text of the list view's row of that name, cells joined by "|"; "" while it is not there. */
const rowText = (name: string) =>
  `(() => { const r = document.querySelector('#resource-table tr[data-name=${JSON.stringify(name)}]'); return r ? [...r.cells].map((c) => c.textContent.trim()).join("|") : ""; })()`;

async function kubectlOut(args: string[]): Promise<string> {
  const r = await cluster.kubectl(args);
  assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

const WIDGET_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {color: {type: string}}}
`;

async function applyManifest(yaml: string): Promise<void> {
  const r = await cluster.kubectl(["apply", "-f", "-"], { input: yaml });
  assert.equal(r.code, 0, r.stderr);
}

async function eventually(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > until) assert.fail(`${what}: not so after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

before(async () => {
  // metrics-server scrapes every 2 s, so the overview's node usage shows soon.
  cluster = await startCluster({ args: ["--metric-resolution", "2s"] });
  const m = /dashboard serving (https:\/\/\S+)/.exec(cluster.output());
  assert.ok(m, `k8ts up names its dashboard:\n${cluster.output()}`);
  url = m[1];
  await kubectlOut(["create", "deployment", "web", "--image=k8ts.local/busybox:latest", "--replicas=2"]);
  await kubectlOut(["rollout", "status", "deployment/web", "--timeout=60s"]);
  await applyManifest(WIDGET_CRD);
  await kubectlOut(["wait", "--for=condition=Established", "crd/widgets.example.com", "--timeout=30s"]);
  await applyManifest(
    "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: gear\nspec:\n  color: teal\n",
  );
  browser = await launchBrowser();
  page = browser.page;
});

after(async () => {
  await browser?.close();
  await cluster?.stop();
});

describe("the dashboard in a browser", () => {
  test("a token from kubectl signs the dashboard-admin in", async () => {
    await page.goto(url);
    await page.waitFor("document.querySelector('#token')", "the login page");
    await page.fill("#token", "not-a-token");
    await page.click("#login");
    await page.waitFor(
      "document.querySelector('#login-error')?.textContent.trim()",
      "a refused token's error",
    );
    const token = await kubectlOut(["-n", "kube-system", "create", "token", "dashboard-admin"]);
    await page.fill("#token", token);
    await page.click("#login");
    const user = await page.waitFor<string>(
      "document.querySelector('#user')?.textContent",
      "the user's name",
    );
    assert.match(user, /system:serviceaccount:kube-system:dashboard-admin/);
  });

  test("the overview counts nodes, pods and deployments, and adds up the nodes' usage from metrics-server", async () => {
    await page.click('a[data-view="overview"]');
    await page.waitFor(
      "document.querySelector('#overview-nodes')?.textContent.includes('1/1 Ready')",
      "the nodes card",
    );
    await page.waitFor(
      "document.querySelector('#overview-deployments')?.textContent.includes('1/1 Available')",
      "the deployments card",
    );
    const usage = await page.waitFor<string>(
      "(() => { const t = document.querySelector('#overview-usage .card-value')?.textContent ?? ''; return /node/.test(t) && t; })()",
      "the node usage card",
      30_000,
    );
    assert.match(usage, /^\d+m CPU, \d+Mi memory \(1 node\)$/);
  });

  test("the Deployments list has kubectl's columns, and follows a scale made with kubectl", async () => {
    await page.click('a[data-resource="deployments.apps"]');
    await page.waitFor(rowText("web"), "the web row");
    const headers = await page.eval<string[]>(
      "[...document.querySelectorAll('#resource-table th')].map((th) => th.textContent.trim())",
    );
    assert.deepEqual(headers.slice(0, 5), ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]);
    await page.waitFor(`${rowText("web")}.startsWith("web|2/2|2|2|")`, "web ready 2/2");
    await kubectlOut(["scale", "deployment/web", "--replicas=3"]);
    // No reload: the watch brings the change.
    await page.waitFor(`${rowText("web")}.startsWith("web|3/3|3|3|")`, "web ready 3/3 after kubectl scale");
  });

  test("the detail view scales the Deployment and lists its events", async () => {
    await page.click('#resource-table tr[data-name="web"] a');
    await page.waitFor(
      "document.querySelector('#object-yaml')?.textContent.includes('name: web')",
      "web's YAML",
    );
    await page.waitFor(
      "document.querySelector('#events-table')?.textContent.includes('ScalingReplicaSet')",
      "web's ScalingReplicaSet events",
    );
    await page.waitFor("document.querySelector('#scale-replicas')?.value === '3'", "the replicas field at 3");
    await page.fill("#scale-replicas", "1");
    await page.click("#scale");
    await eventually(
      "kubectl sees 1 replica",
      async () => (await kubectlOut(["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"])) === "1",
    );
  });

  test("pods of all namespaces, with a NAMESPACE column, and a pod's containers for its logs", async () => {
    await page.goto(`${url}#/list/core/v1/pods?namespace=`);
    const pod = await kubectlOut([
      "get",
      "pods",
      "-l",
      "app=web",
      "-o",
      "jsonpath={.items[0].metadata.name}",
    ]);
    await page.waitFor(rowText(pod), `the ${pod} row`);
    const headers = await page.eval<string[]>(
      "[...document.querySelectorAll('#resource-table th')].map((th) => th.textContent.trim())",
    );
    assert.deepEqual(headers.slice(0, 2), ["NAMESPACE", "NAME"]);
    assert.match(await page.eval<string>(rowText(pod)), /^default\|/);
    await page.click(`#resource-table tr[data-name="${pod}"] a`);
    const containers = await page.waitFor<string[]>(
      "(() => { const s = document.querySelector('#logs-container'); return s && s.options.length ? [...s.options].map((o) => o.value) : null; })()",
      "the logs' container list",
    );
    assert.deepEqual(containers, ["busybox"]);
  });

  test("a custom resource is in the menu, with its CRD's printer columns", async () => {
    const section = await page.waitFor<string>(
      `document.querySelector('a[data-resource="widgets.example.com"]')?.closest("section")?.querySelector("h3")?.textContent`,
      "the Widgets link",
    );
    assert.match(section, /custom resources/i);
    // Back from all namespaces (the pods' view) to one, with the selector.
    await page.fill("#namespace", "default");
    await page.click('a[data-resource="widgets.example.com"]');
    await page.waitFor(`${rowText("gear")} === "gear|teal"`, "the gear row with its color");
    const headers = await page.eval<string[]>(
      "[...document.querySelectorAll('#resource-table th')].map((th) => th.textContent.trim())",
    );
    // As kubectl prints it: a CRD's own columns replace the default Age.
    assert.deepEqual(headers, ["NAME", "COLOR"]);
  });

  test("create from YAML, edit and delete, each seen by kubectl", async () => {
    await page.goto(`${url}#/create?namespace=default`);
    await page.waitFor("document.querySelector('#create-yaml')", "the create page");
    await page.fill(
      "#create-yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-dashboard\ndata:\n  color: blue\n",
    );
    await page.click("#create");
    await page.waitFor(
      "document.querySelector('#create-results')?.textContent.includes('configmap/from-dashboard created')",
      "the create result",
    );
    assert.equal(
      await kubectlOut(["get", "configmap", "from-dashboard", "-o", "jsonpath={.data.color}"]),
      "blue",
    );

    await page.goto(`${url}#/object/core/v1/configmaps/default/from-dashboard`);
    await page.waitFor(
      "document.querySelector('#object-yaml')?.textContent.includes('color: blue')",
      "its YAML",
    );
    await page.click("#edit");
    const yaml = await page.waitFor<string>("document.querySelector('#editor')?.value", "the editor");
    await page.fill("#editor", yaml.replace("color: blue", "color: green"));
    await page.click("#save");
    await eventually(
      "kubectl sees the edit",
      async () =>
        (await kubectlOut(["get", "configmap", "from-dashboard", "-o", "jsonpath={.data.color}"])) ===
        "green",
    );

    await page.waitFor("document.querySelector('#delete')", "the delete button");
    await page.click("#delete");
    await page.waitFor("document.querySelector('#delete-confirm')", "the delete confirmation");
    await page.click("#delete-confirm");
    await eventually("kubectl no longer finds it", async () => {
      const r = await cluster.kubectl(["get", "configmap", "from-dashboard"]);
      return r.code !== 0 && /NotFound/.test(r.stderr);
    });
    if (process.env.K8TS_SCREENSHOT_DIR) {
      await page.goto(`${url}#/list/apps/v1/deployments?namespace=default`);
      await page.waitFor(rowText("web"), "the web row");
      await page.screenshot(`${process.env.K8TS_SCREENSHOT_DIR}/dashboard-deployments.png`);
    }
  });

  test("signing out leads back to the login page; nothing failed in the page", async () => {
    await page.click("#sign-out");
    await page.waitFor("document.querySelector('#token')", "the login page");
    assert.deepEqual(page.errors, []);
  });
});
