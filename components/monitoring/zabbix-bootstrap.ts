/** Grafana's Zabbix account, its role and its user group (the bootstrap creates them). */
export const ZABBIX_READER = {
    user: "grafana-reader",
    role: "Grafana read-only",
    group: "Grafana readers",
} as const;

/**
 * The reader's role (`role.create`): type 3, Super admin, which sees every host group; the API
 * only for `*.get` methods (allow list), no UI element, module or action by default.
 */
export const READER_ROLE = {
    name: ZABBIX_READER.role,
    type: 3,
    rules: {
        "ui.default_access": 0,
        "modules.default_access": 0,
        "actions.default_access": 0,
        "api.access": 1,
        "api.mode": 1,
        api: ["*.get"],
    },
} as const;

/** The reader's user group: no frontend access (`gui_access` 3); Grafana uses an API token. */
export const READER_GROUP = { name: ZABBIX_READER.group, gui_access: 3 } as const;

/**
 * The script the Zabbix bootstrap Job runs (curl only, no other tools): it replaces the default
 * Admin password with the generated one, and keeps a valid API token for Grafana in its Secret.
 * Idempotent: a rerun changes nothing when both are already in place. Zabbix 7.0 takes the session
 * or token in an `Authorization: Bearer` header. It never touches Grafana: the program rolls Grafana
 * once the Job has finished (GrafanaTokenRoll), so the Job's account can write one Secret and nothing
 * that runs pods.
 *
 * The token belongs to a reader, not to Admin: a user whose role is of the Super admin type (so it
 * sees every host group, including those the on-prem sync creates later, without per-group rights)
 * but whose role allows only the API's `*.get` methods, and whose user group has no frontend
 * access. A token Grafana holds that belongs to anyone else is replaced.
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
ids() { grep -o "\\"$1\\":\\[\\"[0-9]*\\"" | sed 's/[^0-9]//g'; }

roleid=$(rpc role.get '{"output":["roleid"],"filter":{"name":"${ZABBIX_READER.role}"}}' "$session" | field roleid)
if [ -z "$roleid" ]; then
  roleid=$(rpc role.create '${JSON.stringify(READER_ROLE)}' "$session" | ids roleids)
  if [ -z "$roleid" ]; then echo "creating the role ${ZABBIX_READER.role} failed"; exit 1; fi
fi
groupid=$(rpc usergroup.get '{"output":["usrgrpid"],"filter":{"name":"${ZABBIX_READER.group}"}}' "$session" | field usrgrpid)
if [ -z "$groupid" ]; then
  groupid=$(rpc usergroup.create '${JSON.stringify(READER_GROUP)}' "$session" | ids usrgrpids)
  if [ -z "$groupid" ]; then echo "creating the user group ${ZABBIX_READER.group} failed"; exit 1; fi
fi
uid=$(rpc user.get '{"output":["userid"],"filter":{"username":"${ZABBIX_READER.user}"}}' "$session" | field userid)
if [ -z "$uid" ]; then
  # Never used to log in (the group has no frontend access, Grafana uses the token); Zabbix wants one.
  pass=$(head -c 32 /dev/urandom | base64 | tr -d '/+=\\n')
  uid=$(rpc user.create "{\\"username\\":\\"${ZABBIX_READER.user}\\",\\"passwd\\":\\"$pass\\",\\"roleid\\":\\"$roleid\\",\\"usrgrps\\":[{\\"usrgrpid\\":\\"$groupid\\"}]}" "$session" | ids userids)
  if [ -z "$uid" ]; then echo "creating the user ${ZABBIX_READER.user} failed"; exit 1; fi
  echo "Zabbix user ${ZABBIX_READER.user} created (read-only API)"
fi

owners=$(rpc token.get '{"output":["userid"],"filter":{"name":"grafana"}}' "$session" | grep -o '"userid":"[0-9]*"' | sed 's/[^0-9]//g' | sort -u)
if [ -n "\${GRAFANA_TOKEN:-}" ] && [ "$owners" = "$uid" ] && rpc host.get '{"output":["hostid"],"limit":1}' "$GRAFANA_TOKEN" | grep -q '"result"'; then
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
`;
