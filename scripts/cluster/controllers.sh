#!/usr/bin/env bash
# Stand-ins for the controllers a real cluster runs and the simulated one does not, limited to
# the status Pulumi waits on (kwok fakes pods and nodes; pv-provisioner.sh fakes volumes):
#
# - Cloud load balancers: every Service of type LoadBalancer without an address gets one in its
#   status, as GKE's service controller reports the forwarding rule's. Pulumi waits for that
#   address before it counts a LoadBalancer Service as created (Traefik's, the SNMP trap
#   receiver's). The address is the Service's `loadBalancerIP` when it asks for one (the reserved
#   IP on GKE), else one of 192.0.2.0/24 (TEST-NET-1, never routed). No traffic flows.
# - Operators the charts would run: a ClusterIssuer (cert-manager) or GitRepository (Flux
#   source-controller) that the program awaits (`pulumi.com/waitFor: condition=Ready`) is marked
#   Ready, as its controller does once the ACME account is registered or the repository fetched.
#   Objects without that annotation are left alone, so a test still sees what is not awaited.
# - cert-manager's cainjector: a webhook configuration asking for a CA
#   (`cert-manager.io/inject-ca-from-secret` or `-from`) whose webhooks have no `caBundle` gets one,
#   as cainjector copies it from the webhook's CA Secret. The program awaits that bundle before it
#   creates the ClusterIssuer. The CA is made here, once; the API server never calls these
#   webhooks (up.sh turns webhook admission off), so nothing ever checks it.
#
# Polls like pv-provisioner.sh; up.sh starts it and down.sh stops it by its pid file.
# Usage: controllers.sh KUBECONFIG
set -euo pipefail

export KUBECONFIG=$1
export KUBECACHEDIR=$(dirname "$1")/kube-cache
next=10
awaited_kinds=(clusterissuers.cert-manager.io gitrepositories.source.toolkit.fluxcd.io)
# In the cluster folder, which down.sh removes.
ca_dir=$(dirname "$1")/simulated-ca
mkdir -p "$ca_dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=simulated-cainjector \
    -keyout "$ca_dir/ca.key" -out "$ca_dir/ca.crt" 2> /dev/null
ca_bundle=$(base64 -w0 < "$ca_dir/ca.crt")

while true; do
    pending=$(kubectl get services --all-namespaces -o json 2> /dev/null | jq -r '
        .items[]
        | select(.spec.type == "LoadBalancer" and ((.status.loadBalancer.ingress // []) | length) == 0)
        | [.metadata.namespace, .metadata.name, (.spec.loadBalancerIP // "")]
        | @tsv') || pending=""
    while IFS=$'\t' read -r ns name asked; do
        [[ -n $ns ]] || continue
        ip=${asked:-192.0.2.$next}
        [[ -n $asked ]] || next=$((next % 250 + 1))
        kubectl patch service -n "$ns" "$name" --subresource=status --type=merge \
            -p "{\"status\":{\"loadBalancer\":{\"ingress\":[{\"ip\":\"$ip\",\"ipMode\":\"VIP\"}]}}}" \
            > /dev/null 2>&1 || true
    done <<< "$pending"

    now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
    for kind in "${awaited_kinds[@]}"; do
        # Not installed yet (the chart with its CRDs comes first): nothing to do.
        waiting=$(kubectl get "$kind" --all-namespaces -o json 2> /dev/null | jq -r '
            .items[]
            | select(.metadata.annotations["pulumi.com/waitFor"] == "condition=Ready")
            | select([(.status.conditions // [])[] | select(.type == "Ready" and .status == "True")] | length == 0)
            | [(.metadata.namespace // "-"), .metadata.name, (.metadata.generation // 1)]
            | @tsv') || waiting=""
        # "-" for a cluster-scoped object: read would swallow an empty first field (tab is IFS space).
        while IFS=$'\t' read -r ns name generation; do
            [[ -n $name ]] || continue
            [[ $ns != - ]] || ns=""
            status="{\"status\":{\"observedGeneration\":$generation,\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Simulated\",\"message\":\"marked Ready by scripts/cluster/controllers.sh\",\"lastTransitionTime\":\"$now\",\"observedGeneration\":$generation}]}}"
            kubectl patch "$kind" ${ns:+-n "$ns"} "$name" --subresource=status --type=merge -p "$status" \
                > /dev/null 2>&1 || true
        done <<< "$waiting"
    done

    for kind in validatingwebhookconfigurations mutatingwebhookconfigurations; do
        injecting=$(kubectl get "$kind" -o json 2> /dev/null | jq -r '
            .items[]
            | select(.metadata.annotations // {} | has("cert-manager.io/inject-ca-from-secret") or has("cert-manager.io/inject-ca-from"))
            | .metadata.name as $name
            | (.webhooks // []) | to_entries[]
            | select((.value.clientConfig.caBundle // "") == "")
            | [$name, .key]
            | @tsv') || injecting=""
        while IFS=$'\t' read -r name index; do
            [[ -n $name ]] || continue
            kubectl patch "$kind" "$name" --type=json \
                -p "[{\"op\":\"add\",\"path\":\"/webhooks/$index/clientConfig/caBundle\",\"value\":\"$ca_bundle\"}]" \
                > /dev/null 2>&1 || true
        done <<< "$injecting"
    done
    sleep 1
done
