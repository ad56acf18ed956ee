export { pinned } from "../versions";

/** Pod Security `restricted` labels every edge namespace carries. */
export const RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
};
