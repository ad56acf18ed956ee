/**
 * Annotations the components write and the policy rules (policy/) read: one definition each, so
 * the two cannot drift apart. Nothing here imports anything.
 */

/**
 * IngressRoute annotation that declares how a host is protected: `public` (open to everyone,
 * declared on purpose) or `github` (oauth2-proxy in front). Anything not annotated public needs an
 * auth middleware on every route.
 */
export const AUTH_ANNOTATION = "platform/auth";
/** The AUTH_ANNOTATION value of a host open to everyone. */
export const PUBLIC = "public";

/**
 * Namespace annotation that justifies a Pod Security level below `restricted` (e.g. node exporters
 * need host namespaces), with the reason as its value; `privileged` is refused without it.
 */
export const PSS_JUSTIFICATION_ANNOTATION = "platform/pod-security-justification";

/**
 * Workload annotation that accepts a single replica on prd, with the reason as its value
 * (e.g. a MySQL StatefulSet without replication).
 */
export const SINGLE_REPLICA_ANNOTATION = "platform/single-replica";

/**
 * NetworkPolicy annotation that declares, with the reason as its value, an ingress rule with no
 * `from` (every pod and every address may connect): e.g. Traefik's entrypoints, open to the world.
 */
export const OPEN_INGRESS_ANNOTATION = "platform/ingress-from-anywhere";

/**
 * NetworkPolicy annotation that declares, with the reason as its value, egress to the metadata
 * server (169.254.169.254): Workload Identity gets its tokens there. Anything else reaching it is
 * an accident (a rule with no `to`, a CIDR that covers it).
 */
export const METADATA_EGRESS_ANNOTATION = "platform/metadata-server";
