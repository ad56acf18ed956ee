import { createHash } from "node:crypto";
import { MockResourceArgs, MockResourceResult } from "@pulumi/pulumi/runtime/mocks";
import { unwrapSecrets } from "./redact";

// The SDK's "known after apply" value; what a mock returns for an output a provider computes.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { unknown } = require("@pulumi/pulumi/output") as { unknown: unknown };

type State = Record<string, unknown>;

/** Stable fake values: the same program and config always render the same output. */
function fakeIp(seed: string, first: number): string {
    let h = 0;
    for (const ch of seed) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
    return `${first}.${(h >>> 16) & 0xff}.${(h >>> 8) & 0xff}.${(h & 0xfe) + 1}`;
}

const FAKE_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nrender-placeholder-ca\n-----END CERTIFICATE-----\n").toString(
    "base64",
);

/** What a StackReference resolves to under mocks: stack name -> its recorded outputs. */
export const stackReferenceOutputs = new Map<
    string,
    { readonly outputs: Record<string, unknown>; readonly secretOutputNames: readonly string[] }
>();

/**
 * Computed outputs the program reads, per resource type. Everything else echoes its inputs,
 * which is what a provider would report back for them.
 */
const computed: Record<string, (args: MockResourceArgs, inputs: State) => State> = {
    "gcp:container/cluster:Cluster": (a, i) => ({
        endpoint: fakeIp(a.name, 34),
        masterAuth: { ...((i.masterAuth as State) ?? {}), clusterCaCertificate: FAKE_CA },
        controlPlaneEndpointsConfig: {
            dnsEndpointConfig: {
                allowExternalTraffic: true,
                endpoint: `gke-${a.name}-render.asia-northeast1.gke.goog`,
            },
        },
        selfLink: `https://container.googleapis.com/v1/projects/render/locations/${String(i.location)}/clusters/${String(i.name)}`,
    }),
    // A reserved internal address asks for its address; Google allocates the rest.
    "gcp:compute/address:Address": (a, i) => ({
        address: typeof i.address === "string" ? i.address : fakeIp(a.name, 35),
    }),
    // HA VPN gets its two public addresses from Google, one per interface.
    "gcp:compute/haVpnGateway:HaVpnGateway": (a) => ({
        vpnInterfaces: [0, 1].map((id) => ({ id, ipAddress: fakeIp(`interface ${id} of ${a.name}`, 35) })),
    }),
    "gcp:compute/globalAddress:GlobalAddress": (a) => ({ address: fakeIp(a.name, 34) }),
    // Private IP only (ipv4Enabled false): an address inside the VPC's private services range.
    "gcp:sql/databaseInstance:DatabaseInstance": (a, i) => ({
        privateIpAddress: fakeIp(a.name, 10),
        connectionName: `${String(i.project ?? "render-project")}:${String(i.region ?? "region")}:${a.name}`,
    }),
    "gcp:dns/managedZone:ManagedZone": () => ({
        nameServers: [
            "ns-cloud-a1.googledomains.com.",
            "ns-cloud-a2.googledomains.com.",
            "ns-cloud-a3.googledomains.com.",
            "ns-cloud-a4.googledomains.com.",
        ],
    }),
    "gcp:serviceaccount/account:Account": (_a, i) => ({
        email: `${String(i.accountId)}@${String(i.project ?? "render-project")}.iam.gserviceaccount.com`,
        name: `projects/render-project/serviceAccounts/${String(i.accountId)}`,
    }),
    "gcp:compute/network:Network": (a) => ({
        selfLink: `https://www.googleapis.com/compute/v1/projects/render-project/global/networks/${a.name}`,
    }),
    "gcp:compute/instance:Instance": (a, i) => ({
        selfLink: `https://www.googleapis.com/compute/v1/projects/render-project/zones/${String(i.zone)}/instances/${a.name}`,
    }),
    "gcp:compute/subnetwork:Subnetwork": (a) => ({
        selfLink: `https://www.googleapis.com/compute/v1/projects/render-project/regions/r/subnetworks/${a.name}`,
    }),
    "gcp:storage/bucket:Bucket": (_a, i) => ({ url: `gs://${String(i.name)}` }),
    // A reference someone recorded (stackReferenceOutputs) wins; otherwise realistic fixed outputs.
    "pulumi:pulumi:StackReference": (a, i) => {
        const name = String(i.name ?? a.name);
        const ref = stackReferenceOutputs.get(name);
        return ref ? { outputs: ref.outputs, secretOutputNames: [...ref.secretOutputNames] } : referencedOutputs(name);
    },
    "gcp:iam/workloadIdentityPool:WorkloadIdentityPool": (_a, i) => ({
        name: `projects/123456789012/locations/global/workloadIdentityPools/${String(i.workloadIdentityPoolId)}`,
    }),
    "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider": (_a, i) => ({
        name: `projects/123456789012/locations/global/workloadIdentityPools/${String(i.workloadIdentityPoolId)}/providers/${String(i.workloadIdentityPoolProviderId)}`,
    }),
};

/**
 * What a StackReference reads offline: the outputs a dev stack exports (see contract/outputs.ts),
 * with realistic fixed values for the referenced stack's last name segment.
 */
function referencedOutputs(stackName: string): State {
    const env = stackName.split("/").pop() ?? stackName;
    const domain = env === "prd" ? "example.org" : `${env}.example.org`;
    return {
        outputs: {
            outputsVersion: "1.0.0",
            environment: env,
            domain,
            kubeconfig: `apiVersion: v1\nkind: Config\nclusters:\n- name: platform-${env}\n  cluster:\n    server: https://gke-platform-${env}-render.asia-northeast1.gke.goog\n`,
            clusterName: `platform-${env}`,
            region: "asia-northeast1",
            workloadIdentityPool: `clubplatform-${env}.svc.id.goog`,
            sablierUrl: "http://sablier.sablier.svc.cluster.local:10000",
        },
        secretOutputNames: ["kubeconfig"],
    };
}

/** `length` stable bytes for a resource name: the same render always makes the same values. */
function renderBytes(name: string, length: number): Buffer {
    const out: Buffer[] = [];
    for (let i = 0; out.length * 32 < length; i++)
        out.push(createHash("sha256").update(`render-${name}-${i}`).digest());
    return Buffer.concat(out).subarray(0, length);
}

/** Resource types whose generated outputs are secrets the program passes on. */
const generated: Record<string, (a: MockResourceArgs) => State> = {
    "random:index/randomPassword:RandomPassword": (a) => ({ result: `render-generated-${a.name}` }),
    // As many bytes as asked for (a WireGuard key needs exactly 32), fixed per resource name.
    "random:index/randomBytes:RandomBytes": (a) => {
        const bytes = renderBytes(a.name, Number((a.inputs as State).length ?? 32));
        return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    },
    "tls:index/privateKey:PrivateKey": (a) => ({
        publicKeyOpenssh: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIRenderPlaceholder${a.name.replace(/[^A-Za-z0-9]/g, "")} render\n`,
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\nrender-generated-${a.name}\n-----END OPENSSH PRIVATE KEY-----\n`,
        privateKeyPem: `-----BEGIN PRIVATE KEY-----\nrender-generated-${a.name}\n-----END PRIVATE KEY-----\n`,
    }),
};

/**
 * The state a provider reports for a resource. In a preview (`preview`) a resource being created
 * has no id and no computed outputs yet: only what echoes its inputs is known, which is what the
 * engine hands a program during `pulumi preview`. A read (a StackReference, an `.get`) returns its
 * whole state either way.
 */
export function mockState(args: MockResourceArgs, preview = false): MockResourceResult {
    const inputs = unwrapSecrets(args.inputs) as State;
    const extra = computed[args.type]?.(args, inputs) ?? {};
    const made = generated[args.type]?.(args) ?? {};
    if (preview && !args.id) {
        // An output that merges inputs with computed parts (the cluster's endpoint config) is
        // unknown as a whole, as the engine reports it; the rest is unknown by being absent.
        const pending = Object.fromEntries([...Object.keys(extra), ...Object.keys(made)].map((k) => [k, unknown]));
        const echoed = args.inputs as State;
        return { id: undefined, state: { ...echoed, name: echoed.name ?? args.name, ...pending } };
    }
    // Echo the raw inputs so secret inputs come back as secret outputs, as the engine does.
    const echoed = args.inputs as State;
    return { id: `${args.name}-id`, state: { ...echoed, name: echoed.name ?? args.name, ...extra, ...made } };
}
