import { ChartPin } from "../versions";

/** The chart, version and repository arguments of a `helm.v4.Chart` for a pinned chart. */
export function pinned(pin: ChartPin): { chart: string; version: string; repositoryOpts: { repo: string } } {
    return { chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } };
}

/** Pod Security `restricted` labels every edge namespace carries. */
export const RESTRICTED = {
    "pod-security.kubernetes.io/enforce": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
    "pod-security.kubernetes.io/warn": "restricted",
};
