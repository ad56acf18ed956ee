#!/usr/bin/env bash
# A fake volume provisioner for the simulated cluster: for every Pending PersistentVolumeClaim of
# the cluster's default StorageClass it creates a PersistentVolume already bound to that claim
# (claimRef), and it deletes Released volumes it made. No data path exists: kwok's pods never
# mount anything, so a hostPath that nobody reads is enough to satisfy the API.
#
# Polls instead of watching: a one-second loop is simple, survives API restarts and is plenty
# for tests. up.sh starts it in the background and down.sh stops it by its pid file.
# Usage: pv-provisioner.sh KUBECONFIG
set -euo pipefail

export KUBECONFIG=$1
export KUBECACHEDIR=$(dirname "$1")/kube-cache
provisioner=platform.local/fake-provisioner

while true; do
    # namespace, name, class, requested size and access mode of every Pending claim that has no
    # volume yet and whose class is ours (an empty class means the default, which is ours).
    claims=$(kubectl get pvc --all-namespaces -o json 2> /dev/null | jq -r --arg p "$provisioner" '
        .items[]
        | select(.status.phase == "Pending" and (.spec.volumeName // "") == "")
        | [.metadata.namespace, .metadata.name, .metadata.uid, (.spec.storageClassName // ""),
           .spec.resources.requests.storage, (.spec.accessModes // ["ReadWriteOnce"] | join(",")),
           (.spec.volumeMode // "Filesystem")]
        | @tsv') || claims=""
    while IFS=$'\t' read -r ns name uid class size modes mode; do
        [[ -n $ns ]] || continue
        [[ -z $class || $class == standard ]] || continue
        # Named after the claim's uid, like real provisioners, so a retry cannot create two.
        pv="pvc-$uid"
        jq -n --arg pv "$pv" --arg ns "$ns" --arg name "$name" --arg uid "$uid" \
            --arg size "$size" --arg modes "$modes" --arg mode "$mode" --arg p "$provisioner" '{
            apiVersion: "v1", kind: "PersistentVolume",
            metadata: {name: $pv, annotations: {"pv.kubernetes.io/provisioned-by": $p}},
            spec: {
                capacity: {storage: $size},
                accessModes: ($modes | split(",")),
                volumeMode: $mode,
                persistentVolumeReclaimPolicy: "Delete",
                storageClassName: "standard",
                claimRef: {apiVersion: "v1", kind: "PersistentVolumeClaim",
                           namespace: $ns, name: $name, uid: $uid},
                hostPath: {path: ("/nonexistent/platform-e2e/" + $pv)}
            }}' | kubectl create -f - > /dev/null 2>&1 || true
    done <<< "$claims"

    # Volumes whose claim is gone: the PV controller leaves them Released for their provisioner.
    kubectl get pv -o json 2> /dev/null | jq -r --arg p "$provisioner" '
        .items[]
        | select(.status.phase == "Released"
                 and .metadata.annotations["pv.kubernetes.io/provisioned-by"] == $p)
        | .metadata.name' | while read -r pv; do
        kubectl delete pv "$pv" --wait=false > /dev/null 2>&1 || true
    done || true
    sleep 1
done
