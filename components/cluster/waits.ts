/**
 * How long Pulumi waits for a Kubernetes object, derived from the one value that bounds the
 * object's own work, so the two cannot drift apart: a Job whose deadline outlasts Pulumi's wait is
 * reported failed while it still runs (and the next `pulumi up` replaces it mid-run), and a wait
 * shorter than a custom resource's work fails the update for nothing.
 */

/** Time between a Job's creation and its pod running (scheduling, image pull), on top of its deadline. */
export const JOB_START_MARGIN_SECONDS = 300;

/** `customTimeouts` for create and update of `seconds`, in whole minutes. */
export function timeouts(seconds: number): { readonly create: string; readonly update: string } {
    const t = `${Math.ceil(seconds / 60)}m`;
    return { create: t, update: t };
}

/**
 * A Job that may run `deadlineSeconds` (its `activeDeadlineSeconds`, which bounds every retry
 * too) and Pulumi's wait for it: the deadline plus the time a pod takes to start.
 */
export function jobRun(deadlineSeconds: number): {
    readonly activeDeadlineSeconds: number;
    readonly customTimeouts: { readonly create: string; readonly update: string };
} {
    return {
        activeDeadlineSeconds: deadlineSeconds,
        customTimeouts: timeouts(deadlineSeconds + JOB_START_MARGIN_SECONDS),
    };
}

/**
 * A custom resource later steps need Ready: pulumi-kubernetes (4.18+) waits for its `Ready`
 * condition (`pulumi.com/waitFor`) for at most `seconds` (`pulumi.com/timeoutSeconds`, and the
 * same as `customTimeouts` so the engine's bound and the provider's agree). Without the
 * annotation a custom resource counts as done as soon as the API server has it.
 */
export function awaitReady(seconds: number): {
    readonly annotations: Readonly<Record<string, string>>;
    readonly customTimeouts: { readonly create: string; readonly update: string };
} {
    return {
        annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": String(seconds) },
        customTimeouts: timeouts(seconds),
    };
}

/**
 * A custom resource nothing later in the run needs Ready, and that cannot be Ready within one run
 * for reasons outside the cluster (DNS delegated after the first deploy, a deploy key a person adds):
 * said explicitly, so a reader (and the render test) sees the choice.
 */
export const NO_WAIT: Readonly<Record<string, string>> = { "pulumi.com/skipAwait": "true" };
