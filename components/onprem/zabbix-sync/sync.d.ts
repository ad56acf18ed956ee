// JSON answers and manifests are untyped data here; `any` reads them without ceremony.
/* eslint-disable @typescript-eslint/no-explicit-any */
// Types of sync.js (plain JavaScript so the Job runs it on a stock node image).

export class ZabbixError extends Error {}

export type Version = [number, number];

export interface FetchLike {
    (
        url: string,
        init: { method: string; headers: Record<string, string>; body: string },
    ): Promise<{ status: number; text(): Promise<string> }>;
}

export interface ClientOptions {
    readonly url: string;
    /** An API token; without one, `login` opens a session. */
    readonly token?: string;
    readonly fetch?: FetchLike;
    readonly log?: (message: string) => void;
    /** @default 600 */
    readonly waitSeconds?: number;
    /** @default 2000 */
    readonly retryIntervalMs?: number;
}

export interface Client {
    readonly version: Version;
    readonly mode: "bearer" | "auth-field";
    connect(): Promise<Version>;
    call(method: string, params: unknown): Promise<any>;
    login?(username: string, password: string): Promise<void>;
    logout?(): Promise<void>;
}

export interface SyncResult {
    created: string[];
    updated: string[];
    unchanged: string[];
    deleted: string[];
}

export interface SyncOptions extends Partial<ClientOptions> {
    readonly inventory: unknown;
    readonly credentials?: unknown;
    /** Per proxy name: its pre-shared key (hex) and identity; such a proxy accepts only PSK. @default {} */
    readonly proxies?: Readonly<Record<string, { readonly identity: string; readonly psk: string }>>;
    readonly dryRun?: boolean;
    readonly client?: Client;
    /** Used when there is no token: a session for this run, logged out at the end. */
    readonly login?: { readonly username: string; readonly password: string };
    /** Key of the secret macros' fingerprints. @default the token, else the login's password */
    readonly fingerprintKey?: string;
}

export function parseVersion(text: string): Version;
export function authMode(version: Version): "bearer" | "auth-field";
export function createClient(opts: ClientOptions): Client;
/** The host-level secret macros the sync keeps credentials in. */
export const MACROS: {
    readonly ipmiUsername: string;
    readonly ipmiPassword: string;
    readonly snmpCommunity: string;
    readonly snmpSecurityName: string;
    readonly snmpAuthPassphrase: string;
    readonly snmpPrivPassphrase: string;
};
export function desiredHost(
    host: unknown,
    credentials: unknown,
    managedTag: { tag: string; value: string },
    fingerprintKey?: string,
): any;
export function hostChanges(want: any, have: any, ids: any): string[];
export function sync(opts: SyncOptions): Promise<SyncResult>;
export function main(env?: Record<string, string | undefined>): Promise<SyncResult>;
