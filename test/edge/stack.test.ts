import { readFileSync } from "node:fs";
import { KubeObject } from "../../render/objects";
import { RecordedResource } from "../../render/recorder";
import { unwrapSecrets } from "../../render/redact";
import { RenderResult } from "../../render/render";
import { filesUnder, rendered, SharedRender } from "../rendered";
import { stackConfig } from "../stack-files";

const HELM = "kubernetes:helm.sh/v4:Chart";

type Route = { match: string; middlewares?: { name: string; namespace?: string }[] };

/** The release of `chartName` named after it (dev also runs oauth2-proxy-previews, test/edge/preview-auth.test.ts). */
function chart(r: RenderResult, chartName: string): RecordedResource {
    const found = r.resources.filter(
        (x) =>
            x.type === HELM &&
            unwrapSecrets(x.inputs.chart) === chartName &&
            unwrapSecrets(x.inputs.name) === chartName,
    );
    expect(found).toHaveLength(1);
    return found[0]!;
}

function values(res: RecordedResource): Record<string, any> {
    return unwrapSecrets(res.inputs.values) as Record<string, any>;
}

function ofKind(r: RenderResult, kind: string): KubeObject[] {
    return r.objects.filter((o) => o.kind === kind);
}

function hostsOf(match: string): string[] {
    return [...match.matchAll(/Host\(`([^`]+)`\)/g)].map((m) => m[1]!);
}

describe.each([
    ["dev", "dev.example.org"],
    ["prd", "example.org"],
] as const)("the %s stack's edge", (stack, domain) => {
    let r: SharedRender;
    beforeAll(async () => {
        r = await rendered(stack);
    });

    it("renders with every object valid against its schema (CRDs included)", () => {
        expect(r.errors).toEqual([]);
        for (const kind of ["ClusterIssuer", "Certificate", "TLSStore", "Middleware", "IngressRoute"]) {
            expect(ofKind(r, kind).length).toBeGreaterThan(0);
        }
    });

    it("pins Traefik, cert-manager and oauth2-proxy to exact versions and repositories", () => {
        for (const name of ["traefik", "cert-manager", "oauth2-proxy"]) {
            const inputs = unwrapSecrets(chart(r, name).inputs) as Record<string, any>;
            expect(inputs.version).toMatch(/^v?\d+\.\d+\.\d+$/);
            expect(inputs.repositoryOpts.repo).toMatch(/^https:\/\//);
        }
        expect(values(chart(r, "cert-manager")).crds).toMatchObject({ enabled: true });
    });

    it("puts errors then forwardAuth (both) in front of every route not declared public", () => {
        // Public hosts as the stack file declares them: the sign-in host and apps' `auth: public` hosts.
        const apps = (stackConfig(stack)["platform:apps"] ?? {}) as Record<
            string,
            { hosts?: { host: string; auth: string }[] }
        >;
        const declaredPublic = Object.values(apps).flatMap((a) => (a.hosts ?? []).filter((h) => h.auth === "public"));
        const publicHosts = new Set([`auth.${domain}`, ...declaredPublic.map((h) => h.host)]);
        expect(publicHosts.size).toBeGreaterThan(1);
        const middlewares = ofKind(r, "Middleware");
        const errors = middlewares.find((m) => (m.spec as any).errors)!;
        const forwardAuth = middlewares.find((m) => (m.spec as any).forwardAuth)!;
        expect((errors.spec as any).errors.status).toEqual(["401-403"]);
        expect((errors.spec as any).errors.query).toBe("/oauth2/sign_in?rd={url}");
        expect((forwardAuth.spec as any).forwardAuth.address).toMatch(/^http:\/\/oauth2-proxy\..*\/oauth2\/auth$/);
        expect((forwardAuth.spec as any).forwardAuth.authResponseHeaders).toEqual(
            expect.arrayContaining(["X-Auth-Request-User", "X-Auth-Request-Email"]),
        );
        const ref = (m: KubeObject) => ({ name: m.metadata.name, namespace: m.metadata.namespace });

        for (const ir of ofKind(r, "IngressRoute")) {
            const spec = ir.spec as { entryPoints: string[]; routes: Route[]; tls?: unknown };
            expect(spec.entryPoints).toEqual(["websecure"]);
            expect(spec.tls).toBeDefined();
            for (const route of spec.routes) {
                const hosts = hostsOf(route.match);
                expect(hosts.length).toBeGreaterThan(0);
                if (hosts.every((h) => publicHosts.has(h)) || route.match.includes("PathPrefix(`/oauth2/`)")) continue;
                expect((route.middlewares ?? []).slice(0, 2)).toEqual([ref(errors), ref(forwardAuth)]);
            }
        }
        // The edge's own host is public; private hosts arrive with the later layers and are checked
        // here as they do (test/edge/edge.test.ts publishes private ones through the real Edge).
    });

    it("publishes the sign-in host auth.<domain> to oauth2-proxy", () => {
        const auth = ofKind(r, "IngressRoute").find((ir) =>
            (ir.spec as { routes: Route[] }).routes.some((x) => hostsOf(x.match).includes(`auth.${domain}`)),
        );
        expect(auth).toBeDefined();
        const oauth = values(chart(r, "oauth2-proxy"));
        // Host-only cookies: the callback is each host's own (docs/security.md).
        expect(oauth.extraArgs["redirect-url"]).toBeUndefined();
        expect(oauth.extraArgs["cookie-domain"]).toBeUndefined();
        expect(oauth.extraArgs.provider).toBe("github");
        expect(oauth.extraArgs["github-org"]).toBe("example-club");
    });

    it("keeps every secret out of Helm values and out of everything render writes", () => {
        const secret = ofKind(r, "Secret").find(
            (s) => s.metadata.name === values(chart(r, "oauth2-proxy")).config.existingSecret,
        );
        expect(secret).toBeDefined();
        // The planted values did reach the program: the Secret object holds them (revealed here only).
        const raw = r.resources.find((x) => x.type === "kubernetes:core/v1:Secret" && x.name.includes("oauth2"))!;
        const stringData = (unwrapSecrets(raw.inputs) as any).stringData;
        const planted = [r.secrets.githubOAuthClientId!, r.secrets.githubOAuthClientSecret!];
        expect([stringData["client-id"], stringData["client-secret"]]).toEqual(planted);
        const cookie = stringData["cookie-secret"] as string;
        expect(cookie.length).toBeGreaterThan(0);

        const helmText = JSON.stringify(r.resources.filter((x) => x.type === HELM).map((x) => unwrapSecrets(x.inputs)));
        for (const leak of [...planted, cookie]) {
            expect(helmText).not.toContain(leak);
            for (const f of filesUnder(r.dir)) expect(readFileSync(f, "utf8")).not.toContain(leak);
        }
    });

    it("binds Traefik's LoadBalancer to the reserved IP that every A record points at", () => {
        const ip = r.outputs.ingressIp as string;
        expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
        // The Service is the program's own, not the chart's: the address is unknown until it exists.
        expect(values(chart(r, "traefik")).service).toEqual({ enabled: false });
        const lb = ofKind(r, "Service").find(
            (s) => (s.spec as any).type === "LoadBalancer" && s.metadata.namespace === "edge",
        );
        const service = lb!.spec as any;
        expect(lb!.metadata).toMatchObject({ name: "traefik", namespace: "edge" });
        expect(service.loadBalancerIP).toBe(ip);
        expect(service.externalTrafficPolicy).toBe("Local");
        expect(service.ports.map((p: any) => `${p.name}:${p.port}->${p.targetPort}`)).toEqual([
            "web:80->web",
            "websecure:443->websecure",
        ]);
        // On-prem hosts get records for their own addresses; every other address record is a route's.
        const records = r.resources.filter(
            (x) =>
                x.type === "gcp:dns/recordSet:RecordSet" &&
                x.inputs.type !== "CAA" &&
                !String(x.inputs.name).includes(".onprem.") &&
                !String(x.inputs.name).startsWith("*."),
        );
        // Branch previews (dev only) share one wildcard record to the same address.
        const wildcard = r.resources.filter(
            (x) => x.type === "gcp:dns/recordSet:RecordSet" && String(x.inputs.name).startsWith("*."),
        );
        for (const w of wildcard) expect((unwrapSecrets(w.inputs) as any).rrdatas).toEqual([ip]);
        expect(wildcard.length).toBe(stack === "dev" ? 1 : 0);
        expect(records.length).toBeGreaterThan(0);
        const routed = new Set(
            ofKind(r, "IngressRoute").flatMap((ir) =>
                (ir.spec as { routes: Route[] }).routes.flatMap((x) => hostsOf(x.match)),
            ),
        );
        for (const rec of records) {
            const i = unwrapSecrets(rec.inputs) as Record<string, any>;
            expect(i.type).toBe("A");
            expect(i.rrdatas).toEqual([ip]);
            expect(routed.has(String(i.name).replace(/\.$/, ""))).toBe(true);
        }
        // Every routed host has its record.
        const named = new Set(records.map((x) => String((unwrapSecrets(x.inputs) as any).name).replace(/\.$/, "")));
        for (const host of routed) expect(named.has(host)).toBe(true);
    });

    it("redirects HTTP to HTTPS, logs access, exports metrics, and lets routes use the edge's middlewares", () => {
        const v = values(chart(r, "traefik"));
        expect(v.ports.web.http.redirections.entryPoint).toMatchObject({ to: "websecure", scheme: "https" });
        expect(v.accessLog.enabled).toBe(true);
        expect(v.metrics.prometheus).toBeTruthy();
        expect(v.providers.kubernetesCRD).toMatchObject({ enabled: true, allowCrossNamespace: true });
        expect(v.resources.requests).toBeDefined();
        expect(v.resources.limits).toBeDefined();
    });

    it("serves a wildcard certificate for the domain and its apex as Traefik's default", () => {
        const cert = ofKind(r, "Certificate")[0]!;
        const spec = cert.spec as any;
        expect(spec.dnsNames).toEqual(expect.arrayContaining([domain, `*.${domain}`]));
        const issuers = ofKind(r, "ClusterIssuer");
        expect(issuers.map((i) => i.metadata.name)).toContain(spec.issuerRef.name);
        expect(spec.issuerRef.kind).toBe("ClusterIssuer");
        const store = ofKind(r, "TLSStore")[0]!;
        expect(store.metadata.name).toBe("default");
        expect(store.metadata.namespace).toBe(cert.metadata.namespace);
        expect((store.spec as any).defaultCertificate.secretName).toBe(spec.secretName);
    });

    it("solves DNS-01 on Cloud DNS through Workload Identity, with no key", () => {
        const issuer = ofKind(r, "ClusterIssuer")[0]!;
        const acme = (issuer.spec as any).acme;
        const expected =
            stack === "prd"
                ? "https://acme-v02.api.letsencrypt.org/directory"
                : "https://acme-staging-v02.api.letsencrypt.org/directory";
        expect(acme.server).toBe(expected);
        expect(acme.solvers[0].dns01.cloudDNS.project).toBe(`clubplatform-${stack}`);
        expect(acme.solvers[0].dns01.cloudDNS.serviceAccountSecretRef).toBeUndefined();

        const cm = values(chart(r, "cert-manager"));
        const ksa = cm.serviceAccount.name as string;
        const gsaEmail = cm.serviceAccount.annotations["iam.gke.io/gcp-service-account"] as string;
        expect(gsaEmail).toMatch(/@.*\.iam\.gserviceaccount\.com$/);
        const cmNamespace = unwrapSecrets(chart(r, "cert-manager").inputs.namespace);
        const bindings = r.resources
            .filter((x) => x.type === "gcp:serviceaccount/iAMMember:IAMMember")
            .map((x) => unwrapSecrets(x.inputs) as Record<string, string>);
        expect(bindings).toContainEqual(
            expect.objectContaining({
                role: "roles/iam.workloadIdentityUser",
                member: `serviceAccount:clubplatform-${stack}.svc.id.goog[${String(cmNamespace)}/${ksa}]`,
            }),
        );
        // DNS admin of the stack's zone only (the issuer names it), never of the project.
        const projectDns = r.resources
            .filter((x) => x.type === "gcp:projects/iAMMember:IAMMember")
            .map((x) => unwrapSecrets(x.inputs) as Record<string, string>)
            .filter((i) => i.member === `serviceAccount:${gsaEmail}`);
        expect(projectDns).toEqual([]);
        const zone = unwrapSecrets(
            r.resources.find((x) => x.type === "gcp:dns/managedZone:ManagedZone")!.inputs,
        ) as any;
        const zoneAdmin = r.resources
            .filter((x) => x.type === "gcp:dns/dnsManagedZoneIamMember:DnsManagedZoneIamMember")
            .map((x) => unwrapSecrets(x.inputs) as Record<string, string>);
        expect(zoneAdmin).toEqual([
            expect.objectContaining({
                managedZone: zone.name,
                role: "roles/dns.admin",
                member: `serviceAccount:${gsaEmail}`,
            }),
        ]);
        expect(acme.solvers[0].dns01.cloudDNS.hostedZoneName).toBe(zone.name);
        expect(r.resources.filter((x) => x.type === "gcp:serviceaccount/key:Key")).toEqual([]);
    });

    it("makes every edge custom resource wait for the chart that installs its CRD", () => {
        const traefikUrn = chart(r, "traefik").urn;
        const certManagerUrn = chart(r, "cert-manager").urn;
        const crs = r.resources.filter((x) => x.type.startsWith("kubernetes:") && x.custom && x.type.includes("."));
        for (const cr of crs) {
            if (cr.type.includes(":traefik.io/")) expect(cr.dependsOn).toContain(traefikUrn);
            if (cr.type.includes(":cert-manager.io/")) expect(cr.dependsOn).toContain(certManagerUrn);
        }
        expect(crs.filter((x) => x.type.includes(":traefik.io/")).length).toBeGreaterThan(0);
    });

    it("holds the chart, so the issuer, until cainjector has put the CA into both webhook configurations", () => {
        const webhook = values(chart(r, "cert-manager")).webhook;
        for (const key of ["mutatingWebhookConfigurationAnnotations", "validatingWebhookConfigurationAnnotations"]) {
            expect(webhook[key]["pulumi.com/waitFor"]).toBe("jsonpath={.webhooks[*].clientConfig.caBundle}");
        }
        const issuers = r.resources.filter((x) => x.type === "kubernetes:cert-manager.io/v1:ClusterIssuer");
        expect(issuers.length).toBeGreaterThan(0);
        for (const issuer of issuers) expect(issuer.dependsOn).toContain(chart(r, "cert-manager").urn);
    });
});

describe("high availability", () => {
    let dev: RenderResult;
    let prd: RenderResult;
    beforeAll(async () => {
        dev = await rendered("dev");
        prd = await rendered("prd");
    });

    it("leaves room in cert-manager's quota for a rolling-update surge pod on both stacks", () => {
        const cpu = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q));
        for (const r of [dev, prd]) {
            const v = values(chart(r, "cert-manager"));
            const ns = unwrapSecrets(chart(r, "cert-manager").inputs.namespace);
            const quota = r.objects.find((o) => o.kind === "ResourceQuota" && o.metadata.namespace === ns)!;
            const parts = [v, v.webhook, v.cainjector].map((c: any) => c.replicaCount * cpu(c.resources.limits.cpu));
            const largestPod = Math.max(...[v, v.webhook, v.cainjector].map((c: any) => cpu(c.resources.limits.cpu)));
            const need = parts.reduce((a, b) => a + b, 0) + largestPod;
            expect(cpu((quota.spec as any).hard["limits.cpu"])).toBeGreaterThanOrEqual(need);
        }
    });

    it("runs Traefik on prd with 2+ replicas, a PDB and required anti-affinity on its own pod labels", () => {
        const v = values(chart(prd, "traefik"));
        expect(v.deployment.replicas).toBeGreaterThanOrEqual(2);
        expect(v.podDisruptionBudget.enabled).toBe(true);
        const [term] = v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
        expect(term.topologyKey).toBe("kubernetes.io/hostname");
        // The chart labels pods app.kubernetes.io/instance=<release>-<namespace>.
        const release = unwrapSecrets(chart(prd, "traefik").inputs.name);
        const namespace = unwrapSecrets(chart(prd, "traefik").inputs.namespace);
        expect(term.labelSelector.matchLabels).toEqual({
            "app.kubernetes.io/name": "traefik",
            "app.kubernetes.io/instance": `${String(release)}-${String(namespace)}`,
        });
    });

    it("runs oauth2-proxy and cert-manager with 2 replicas and PDBs on prd", () => {
        const oauth = values(chart(prd, "oauth2-proxy"));
        expect(oauth.replicaCount).toBeGreaterThanOrEqual(2);
        expect(oauth.podDisruptionBudget.enabled).toBe(true);
        const cm = values(chart(prd, "cert-manager"));
        expect(cm.replicaCount).toBe(2);
        expect(cm.podDisruptionBudget.enabled).toBe(true);
        expect(cm.webhook.replicaCount).toBe(2);
    });

    it("keeps dev small, with no PDB that would block a node drain", () => {
        const v = values(chart(dev, "traefik"));
        expect(v.deployment.replicas).toBe(1);
        expect(v.podDisruptionBudget.enabled).toBe(false);
        expect(values(chart(dev, "oauth2-proxy")).podDisruptionBudget.enabled).toBe(false);
    });

    it("loads the Sablier middleware only where edge.sablier is set (dev)", () => {
        const d = values(chart(dev, "traefik"));
        const p = values(chart(prd, "traefik"));
        expect(d.experimental.localPlugins.sablier.type).toBe("inlinePlugin");
        expect(p.experimental.localPlugins).toEqual({});
    });

    it("answers 503 for a Service with no ready pod on both stacks (the 5xx alert sees it; previews wake)", () => {
        for (const r of [dev, prd])
            expect(values(chart(r, "traefik")).providers.kubernetesCRD.allowEmptyServices).toBe(true);
    });

    it("logs no request header or query string (cookies, OAuth codes)", () => {
        for (const r of [dev, prd]) {
            const fields = values(chart(r, "traefik")).accessLog.fields;
            expect(fields.headers.defaultMode).toBe("drop");
            expect(fields.queryParameters.defaultMode).toBe("drop");
        }
    });
});

describe("a cluster outside GCP (cluster.mode existing)", () => {
    it("uses a self-signed issuer, no static IP and no DNS records", async () => {
        const r = await rendered("local");
        expect(r.errors).toEqual([]);
        expect(r.resources.filter((x) => x.type.startsWith("gcp:"))).toEqual([]);
        const [issuer] = ofKind(r, "ClusterIssuer");
        expect((issuer!.spec as any).selfSigned).toEqual({});
        const [lb] = ofKind(r, "Service").filter((s) => (s.spec as any).type === "LoadBalancer");
        expect((lb!.spec as any).loadBalancerIP).toBeUndefined();
        expect(ofKind(r, "IngressRoute").length).toBeGreaterThan(0);
    });
});
