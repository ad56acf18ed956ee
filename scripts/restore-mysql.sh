#!/usr/bin/env bash
# Restores an app's MySQL from its backup bucket (docs/operations.md, "Restore the uploader's
# database"). Creates a Job from the suspended CronJob `<app>-mysql-restore` the program declares
# (components/apps/mysql-restore.ts), so the restore runs the same script and images as the
# nightly backup: `fetch` (the newest dump or the one named; MD5, gzip and trailer verified) then
# `apply` (a scratch database, then one atomic swap of the tables; the replaced tables are kept
# in `<db>_before_<time>`).
#
#   scripts/restore-mysql.sh <app> [object]        # object: `uploader-20261121T180000Z.sql.gz`,
#   scripts/restore-mysql.sh -n <namespace> <app>  # or the full `uploader/...` name; default: newest
#
# While it runs the app's web Deployments are scaled to 0 and the backup CronJob is suspended;
# both are put back as they were when it ends, whether the restore worked or not (a refused or
# failed restore leaves the database as it was). Needs kubectl with the cluster's context.
set -euo pipefail

usage() {
    echo "usage: $0 [-n namespace] [--timeout seconds] <app> [object]" >&2
    exit 2
}
namespace=""
timeout=21600
while [ $# -gt 0 ]; do
    case "$1" in
    -n | --namespace)
        namespace="$2"
        shift 2
        ;;
    --timeout)
        timeout="$2"
        shift 2
        ;;
    -h | --help) usage ;;
    -*) usage ;;
    *) break ;;
    esac
done
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
app="$1"
object="${2:-}"
ns="${namespace:-$app}"
template="$app-mysql-restore"
job="$app-restore-$(date -u +%Y%m%d%H%M%S)"
k() { kubectl -n "$ns" "$@"; }
log() { echo "restore-mysql: $*" >&2; }

k get cronjob "$template" >/dev/null || {
    log "no CronJob $ns/$template: does $app have mysql.backup in this stack?"
    exit 1
}

# Stop the writers and the nightly dump; remember how to put them back.
web="$(k get deployment -l "app.kubernetes.io/name=$app,app.kubernetes.io/component=web" \
    -o jsonpath='{range .items[*]}{.metadata.name}={.spec.replicas}{"\n"}{end}')"
backup="$(k get cronjob "$app-backup" -o name 2>/dev/null || true)"
backup_was_suspended="$([ -z "$backup" ] || k get cronjob "$app-backup" -o jsonpath='{.spec.suspend}')"
put_back() {
    log "putting the app back"
    if [ -n "$backup" ] && [ "$backup_was_suspended" != true ]; then
        k patch cronjob "$app-backup" --type merge -p '{"spec":{"suspend":false}}' >/dev/null ||
            log "could not resume CronJob $app-backup"
    fi
    for d in $web; do
        k scale deployment "${d%%=*}" --replicas "${d#*=}" >/dev/null || log "could not scale ${d%%=*} back to ${d#*=}"
    done
}
trap put_back EXIT
[ -z "$backup" ] || k patch cronjob "$app-backup" --type merge -p '{"spec":{"suspend":true}}' >/dev/null
for d in $web; do
    log "scaling ${d%%=*} from ${d#*=} to 0"
    k scale deployment "${d%%=*}" --replicas 0 >/dev/null
done
k wait --for=delete pod -l "app.kubernetes.io/name=$app,app.kubernetes.io/component=web" --timeout 5m >/dev/null || true

# The Job: the template's, with OBJECT set for the fetch step when one was named.
log "creating Job $ns/$job (${object:-newest dump})"
k create job "$job" --from="cronjob/$template" --dry-run=client -o yaml |
    kubectl set env --local -f - -c fetch "OBJECT=$object" -o yaml |
    k create -f - >/dev/null
start=$SECONDS
until k wait --for=condition=complete "job/$job" --timeout 10s >/dev/null 2>&1; do
    if [ "$(k get job "$job" -o jsonpath='{.status.failed}')" = 1 ]; then
        k logs "job/$job" --all-containers --prefix || true
        log "the restore failed after $((SECONDS - start)) s; the database is as it was (see the log above)"
        exit 1
    fi
    if [ $((SECONDS - start)) -ge "$timeout" ]; then
        log "gave up waiting after $timeout s; the Job goes on: kubectl -n $ns logs -f job/$job"
        exit 1
    fi
done
k logs "job/$job" --all-containers --prefix
log "restored in $((SECONDS - start)) s; check the app, then drop the database the log names as kept aside"
