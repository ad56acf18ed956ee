#!/usr/bin/env bash
# Starts a simulated Kubernetes cluster on loopback for end-to-end tests: a real etcd,
# kube-apiserver, kube-controller-manager and kube-scheduler, and kwok faking the nodes and the
# status of their pods (Running and Ready; Job pods Succeeded). A default StorageClass and our
# stand-in controllers (stand-ins/controllers.ts, one Node process) bind PersistentVolumeClaims,
# give LoadBalancer Services an address, mark awaited issuers and sources Ready and fill in the
# webhooks' CA bundles.
#
# Everything listens on 127.0.0.1 only. Nothing ever sends traffic to the fake node and pod
# addresses kwok reports: the API server calls no admission webhook (below), and no aggregated
# APIService may point at a Service of the cluster (the API server would call its fake pod IP).
#
# Usage: scripts/cluster/up.sh     (CLUSTER_DIR, default /tmp/platform-e2e-cluster)
# Writes $CLUSTER_DIR/kubeconfig (context printed at the end); scripts/cluster/down.sh undoes it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cluster_dir=${CLUSTER_DIR:-/tmp/platform-e2e-cluster}
name=platform-e2e
nodes=${CLUSTER_NODES:-3}
start=$SECONDS

# shellcheck source=../tools/versions.env
source "$here/../tools/versions.env"
# shellcheck source=../tools/env.sh
source "$here/../tools/env.sh" 2> /dev/null
for bin in kube-apiserver kube-controller-manager kube-scheduler kubectl etcd kwok kwokctl; do
    command -v "$bin" > /dev/null || {
        echo "up.sh: $bin not built: run scripts/tools/build.sh kubernetes etcd kwok" >&2
        exit 1
    }
done

if [[ -e $cluster_dir ]]; then
    echo "up.sh: $cluster_dir exists: is a cluster up? run scripts/cluster/down.sh first" >&2
    exit 1
fi
mkdir -p "$cluster_dir"
kubeconfig=$cluster_dir/kubeconfig
# kwokctl keeps its cluster (certificates, etcd data, logs, pids) under KWOK_WORKDIR; keeping it
# inside the cluster folder lets down.sh remove everything by removing one folder.
export KWOK_WORKDIR=$cluster_dir/kwok
# kubectl keeps a discovery cache; keep it in the cluster folder too, not in ~/.kube.
export KUBECACHEDIR=$cluster_dir/kube-cache

# kwokctl binds every component to 0.0.0.0 unless told otherwise; its configuration file is the
# only way to set that. kubeVersion tells it which flags the components accept.
# The API server calls no admission webhook: the real charts (cert-manager's webhook) register
# webhook configurations pointing at Services whose pods are fake, so every call would go to a
# fake pod IP and fail. With the two webhook admission plugins off, the configurations are still
# created, owned and diffed as on a real cluster, only never called. Every other admission plugin
# (quota, limits, Pod Security, service accounts) stays on.
cat > "$cluster_dir/kwokctl.yaml" << EOF
apiVersion: config.kwok.x-k8s.io/v1alpha1
kind: KwokctlConfiguration
options:
  bindAddress: 127.0.0.1
  kubeVersion: v$KUBERNETES_VERSION
componentsPatches:
  - name: kube-apiserver
    extraArgs:
      - key: disable-admission-plugins
        value: MutatingAdmissionWebhook,ValidatingAdmissionWebhook
EOF

# On failure, leave nothing running behind.
trap 'echo "up.sh: failed; cleaning up" >&2; "$here/down.sh" >&2 || true' ERR

kwokctl create cluster --name "$name" --runtime binary --config "$cluster_dir/kwokctl.yaml" \
    --kube-apiserver-binary "$(command -v kube-apiserver)" \
    --kube-controller-manager-binary "$(command -v kube-controller-manager)" \
    --kube-scheduler-binary "$(command -v kube-scheduler)" \
    --kwok-controller-binary "$(command -v kwok)" \
    --etcd-binary "$(command -v etcd)" \
    --kube-authorization \
    --kubeconfig "$kubeconfig" \
    --wait 3m >&2

export KUBECONFIG=$kubeconfig
context=$(kubectl config current-context)

# Fake nodes, labelled like real Linux nodes of one zone. kwok takes over nodes annotated
# kwok.x-k8s.io/node=fake and keeps them Ready. Three of them hold 330 pods and 48 CPUs.
for i in $(seq 0 $((nodes - 1))); do
    cat << EOF
---
apiVersion: v1
kind: Node
metadata:
  name: kwok-node-$i
  annotations:
    kwok.x-k8s.io/node: fake
    node.alpha.kubernetes.io/ttl: "0"
  labels:
    kubernetes.io/arch: amd64
    kubernetes.io/os: linux
    kubernetes.io/hostname: kwok-node-$i
    node.kubernetes.io/instance-type: e2-standard-16
    topology.kubernetes.io/region: europe-west1
    topology.kubernetes.io/zone: europe-west1-b
    type: kwok
spec:
  # kwok hands out pod IPs from the node's range (its global default is one /24 for all).
  podCIDR: 10.244.$i.0/24
  podCIDRs: [10.244.$i.0/24]
status:
  allocatable: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 100Gi}
  capacity: {cpu: "16", memory: 64Gi, pods: "110", ephemeral-storage: 100Gi}
  nodeInfo:
    architecture: amd64
    operatingSystem: linux
    kubeletVersion: v$KUBERNETES_VERSION
    containerRuntimeVersion: fake
EOF
done | kubectl apply -f - >&2

# The default StorageClass; the stand-in provisioner answers for its provisioner name (stand-ins/plans.ts).
kubectl apply -f - >&2 << 'EOF'
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata:
  name: standard
  annotations:
    storageclass.kubernetes.io/is-default-class: "true"
provisioner: platform.local/fake-provisioner
reclaimPolicy: Delete
volumeBindingMode: Immediate
allowVolumeExpansion: true
EOF

# The status a cloud's service controller, the charts' operators and a volume provisioner would
# report. One process (node with tsx's loader, so no child to orphan), stopped by its pid.
nohup node --import "$here/../../node_modules/tsx/dist/loader.mjs" "$here/stand-ins/controllers.ts" "$kubeconfig" \
    > "$cluster_dir/stand-ins.log" 2>&1 &
echo $! > "$cluster_dir/stand-ins.pid"

kubectl wait --for=condition=Ready node --all --timeout=120s >&2
# Pods need their namespace's default ServiceAccount, which the controller-manager creates.
until kubectl get serviceaccount default -n default > /dev/null 2>&1; do sleep 1; done
trap - ERR

echo "up.sh: cluster up in $((SECONDS - start))s" >&2
echo "KUBECONFIG=$kubeconfig"
echo "context=$context"
