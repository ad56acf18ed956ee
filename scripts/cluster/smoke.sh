#!/usr/bin/env bash
# Checks that the simulated cluster from up.sh does what the end-to-end tests rely on: a
# Deployment, a StatefulSet with a volumeClaimTemplate, a DaemonSet become ready, a Job
# completes and the claims bind. Creates them in a throw-away namespace and deletes it.
# Usage: scripts/cluster/smoke.sh     (CLUSTER_DIR, default /tmp/platform-e2e-cluster)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export KUBECONFIG=${CLUSTER_DIR:-/tmp/platform-e2e-cluster}/kubeconfig
export KUBECACHEDIR=${CLUSTER_DIR:-/tmp/platform-e2e-cluster}/kube-cache
# shellcheck source=../tools/env.sh
source "$here/../tools/env.sh" 2> /dev/null
ns=smoke-$$
start=$SECONDS

kubectl create namespace "$ns" > /dev/null
trap 'kubectl delete namespace "$ns" --wait=false > /dev/null 2>&1 || true' EXIT

kubectl apply -n "$ns" -f - << 'EOF'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: example.invalid/web:1
        resources: {requests: {cpu: 100m, memory: 64Mi}}
        readinessProbe: {httpGet: {path: /, port: 8080}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: db
        image: example.invalid/db:1
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {kubernetes.io/os: linux}
      containers:
      - name: agent
        image: example.invalid/agent:1
---
apiVersion: batch/v1
kind: Job
metadata: {name: once}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: once
        image: example.invalid/once:1
EOF

kubectl rollout status -n "$ns" deployment/web --timeout=120s
kubectl rollout status -n "$ns" statefulset/db --timeout=120s
kubectl rollout status -n "$ns" daemonset/agent --timeout=120s
kubectl wait -n "$ns" --for=condition=Complete job/once --timeout=120s
kubectl wait -n "$ns" --for=jsonpath='{.status.phase}'=Bound pvc --all --timeout=60s
kubectl get -n "$ns" pods,pvc -o wide
echo "smoke.sh: ok in $((SECONDS - start))s"
