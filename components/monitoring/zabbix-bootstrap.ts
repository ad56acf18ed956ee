/**
 * The script the Zabbix bootstrap Job runs (curl only, no other tools): it replaces the default
 * Admin password with the generated one, and keeps a valid API token for Grafana in its Secret,
 * restarting Grafana when it had to issue a new one. Idempotent: a rerun changes nothing when both
 * are already in place. Zabbix 7.0 takes the session or token in an `Authorization: Bearer` header.
 */
export const BOOTSTRAP_SCRIPT = `#!/bin/sh
set -eu
rpc() {
  body="{\\"jsonrpc\\":\\"2.0\\",\\"method\\":\\"$1\\",\\"params\\":$2,\\"id\\":1}"
  if [ -n "\${3:-}" ]; then
    curl -sS --max-time 20 -H 'Content-Type: application/json-rpc' -H "Authorization: Bearer $3" -d "$body" "$ZABBIX_URL"
  else
    curl -sS --max-time 20 -H 'Content-Type: application/json-rpc' -d "$body" "$ZABBIX_URL"
  fi
}
field() { sed -n "s/.*\\"$1\\":\\"\\([^\\"]*\\)\\".*/\\1/p"; }
login() { rpc user.login "{\\"username\\":\\"$ADMIN_USER\\",\\"password\\":\\"$1\\"}" | field result; }
kube() {
  sa="\${SA_DIR:-/var/run/secrets/kubernetes.io/serviceaccount}"
  curl -sS --max-time 20 --cacert "$sa/ca.crt" -H "Authorization: Bearer $(cat "$sa/token")" \\
    -H 'Content-Type: application/merge-patch+json' -X PATCH -d "$2" -o /dev/null -w '%{http_code}' \\
    "\${KUBE_API:-https://kubernetes.default.svc}$1"
}

i=0
until rpc apiinfo.version '{}' 2>/dev/null | grep -q '"result"'; do
  i=$((i + 1))
  if [ "$i" -gt 90 ]; then echo "Zabbix API not reachable at $ZABBIX_URL"; exit 1; fi
  sleep 10
done

session=$(login "$ADMIN_PASSWORD")
if [ -z "$session" ]; then
  old=$(login zabbix)
  if [ -z "$old" ]; then echo "cannot log in as $ADMIN_USER with the generated or the default password"; exit 1; fi
  uid=$(rpc user.get "{\\"output\\":[\\"userid\\"],\\"filter\\":{\\"username\\":\\"$ADMIN_USER\\"}}" "$old" | field userid)
  rpc user.update "{\\"userid\\":\\"$uid\\",\\"current_passwd\\":\\"zabbix\\",\\"passwd\\":\\"$ADMIN_PASSWORD\\"}" "$old" | grep -q '"result"' \\
    || { echo "changing the Admin password failed"; exit 1; }
  session=$(login "$ADMIN_PASSWORD")
  echo "Admin password replaced by the generated one"
fi
uid=$(rpc user.get "{\\"output\\":[\\"userid\\"],\\"filter\\":{\\"username\\":\\"$ADMIN_USER\\"}}" "$session" | field userid)

if [ -n "\${GRAFANA_TOKEN:-}" ] && rpc host.get '{"output":["hostid"],"limit":1}' "$GRAFANA_TOKEN" | grep -q '"result"'; then
  echo "Grafana API token is valid"
  exit 0
fi
for id in $(rpc token.get '{"output":["tokenid"],"filter":{"name":"grafana"}}' "$session" | grep -o '"tokenid":"[0-9]*"' | sed 's/[^0-9]//g'); do
  rpc token.delete "[\\"$id\\"]" "$session" >/dev/null
done
tokenid=$(rpc token.create "{\\"name\\":\\"grafana\\",\\"userid\\":\\"$uid\\"}" "$session" | sed -n 's/.*"tokenids":\\["\\([0-9]*\\)".*/\\1/p')
token=$(rpc token.generate "[\\"$tokenid\\"]" "$session" | field token)
if [ -z "$token" ]; then echo "creating the Grafana API token failed"; exit 1; fi
code=$(kube "/api/v1/namespaces/$NAMESPACE/secrets/$TOKEN_SECRET_NAME" "{\\"stringData\\":{\\"token\\":\\"$token\\"}}")
if [ "$code" != 200 ]; then echo "writing Secret $TOKEN_SECRET_NAME failed ($code)"; exit 1; fi
echo "Grafana API token written to Secret $TOKEN_SECRET_NAME"
now=$(date -u +%Y%m%d%H%M%S)
code=$(kube "/apis/apps/v1/namespaces/$NAMESPACE/deployments/$GRAFANA_DEPLOYMENT" \\
  "{\\"spec\\":{\\"template\\":{\\"metadata\\":{\\"annotations\\":{\\"platform/zabbix-token\\":\\"$now\\"}}}}}")
echo "Grafana restart requested ($code; 404 means Grafana is not deployed yet and reads the token at start)"
`;
