#!/usr/bin/env bash
# Checks that the simulated cluster from up.sh does what the end-to-end tests rely on: a
# Deployment, a StatefulSet with a volumeClaimTemplate, a DaemonSet become ready, a Job
# completes, the claims bind and a LoadBalancer Service gets its address; a cert-manager-style
# webhook configuration gets its CA bundle and is never called (a ConfigMap it would reject with
# `failurePolicy: Fail` is created). Creates them in a throw-away namespace and deletes it.
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
trap 'kubectl delete namespace "$ns" --wait=false > /dev/null 2>&1 || true
kubectl delete validatingwebhookconfiguration "$ns" > /dev/null 2>&1 || true' EXIT

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
---
apiVersion: v1
kind: Service
metadata: {name: entry}
spec:
  type: LoadBalancer
  loadBalancerIP: 203.0.113.7
  selector: {app: web}
  ports: [{name: http, port: 80, targetPort: 8080}]
EOF

kubectl rollout status -n "$ns" deployment/web --timeout=120s
kubectl rollout status -n "$ns" statefulset/db --timeout=120s
kubectl rollout status -n "$ns" daemonset/agent --timeout=120s
kubectl wait -n "$ns" --for=condition=Complete job/once --timeout=120s
kubectl wait -n "$ns" --for=jsonpath='{.status.phase}'=Bound pvc --all --timeout=60s
# The address the Service asked for, as a cloud's load balancer would report it.
kubectl wait -n "$ns" --for=jsonpath='{.status.loadBalancer.ingress[0].ip}'=203.0.113.7 service/entry --timeout=60s

# A webhook for this namespace's ConfigMaps, asking for its CA the way cert-manager's do: the
# stand-in cainjector (stand-ins/plans.ts) injects one, and the API server never calls it. Were
# it called, the call would be refused at once (nothing listens on loopback port 1) and the
# ConfigMap rejected; pointing it at a Service instead would send the call to a fake address.
kubectl apply -f - << EOF
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata:
  name: $ns
  annotations: {cert-manager.io/inject-ca-from-secret: $ns/webhook-ca}
webhooks:
- name: reject.smoke.example.org
  admissionReviewVersions: [v1]
  sideEffects: None
  failurePolicy: Fail
  timeoutSeconds: 5
  clientConfig: {url: "https://127.0.0.1:1/validate"}
  namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: $ns}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
EOF
kubectl wait --for=jsonpath='{.webhooks[0].clientConfig.caBundle}' "validatingwebhookconfiguration/$ns" --timeout=60s
kubectl create configmap -n "$ns" past-the-webhook --from-literal=called=no
kubectl get -n "$ns" pods,pvc,services -o wide
echo "smoke.sh: ok in $((SECONDS - start))s"
