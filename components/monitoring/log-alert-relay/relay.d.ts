// Types of relay.js (plain JavaScript so the relay runs straight from a ConfigMap on a stock node image).

export interface Alert {
    labels: Record<string, string>;
    annotations: Record<string, string>;
    startsAt: string;
    endsAt: string;
    generatorURL?: string;
}

export interface FetchLike {
    (
        url: string,
        init: { method: string; headers: Record<string, string>; body?: string },
    ): Promise<{ status: number; text(): Promise<string>; json(): Promise<unknown> }>;
}

export interface RelayOptions {
    subscription: string;
    alertmanagerUrl: string;
    stack: string;
    resolveAfterSeconds: number;
    pubsubUrl: string;
    fetch: FetchLike;
    token(now: Date): Promise<string>;
    now?: () => Date;
}

export function incidentToAlert(
    payload: unknown,
    stack: string,
    now: Date,
    resolveAfterSeconds: number,
): Alert | undefined;
export function decodeMessage(message: unknown): unknown;
export function relayOnce(o: RelayOptions): Promise<{ relayed: number; unusable: number }>;
export function optionsFromEnv(env: Record<string, string | undefined>, fetchFn: FetchLike): RelayOptions;
export function tokenSource(metadataUrl: string, fetchFn: FetchLike): (now: Date) => Promise<string>;
export function healthy(lastGood: number, now: number, staleSeconds: number): boolean;
export function main(
    env?: Record<string, string | undefined>,
    fetchFn?: FetchLike,
    log?: Pick<Console, "log" | "error">,
): Promise<void>;
