import * as pulumi from "@pulumi/pulumi";
import { monitoringSchema, monitoringSettings } from "../../config/sections/monitoring";
import { MonitoringSettings } from "../../components/monitoring/settings";
import { Publisher, RouteSpec } from "../../components/edge/types";
import { RecordedResource } from "../../render/recorder";
import { Harness } from "../harness";

/** Rendered values are untyped JSON; tests navigate them freely. */

export type Loose = any;

/** Secret values no Helm values, ConfigMap or output may ever contain. */
export const SENTINELS = {
    grafanaOAuthClientId: "SENTINEL-oauth-client-id-7f3a",
    grafanaOAuthClientSecret: "SENTINEL-oauth-client-secret-9c1d",
    alertmanagerWebhookUrl: "https://hooks.example.invalid/SENTINEL-webhook-4e2b",
    grafanaDatabasePassword: "SENTINEL-db-password-1a8e",
} as const;

/** The monitoring layer's settings as config/ resolves them from a raw section. */
export function monitoringConfig(raw: unknown = {}): MonitoringSettings {
    return monitoringSettings(monitoringSchema.parse(raw));
}

/** Secret inputs as the program gets them from the stack: secret Outputs. */
export function secretArgs() {
    return {
        grafanaOAuthClientId: pulumi.secret(SENTINELS.grafanaOAuthClientId),
        grafanaOAuthClientSecret: pulumi.secret(SENTINELS.grafanaOAuthClientSecret),
        alertmanagerWebhookUrl: pulumi.secret(SENTINELS.alertmanagerWebhookUrl),
        grafanaDatabase: { host: "db.internal", password: pulumi.secret(SENTINELS.grafanaDatabasePassword) },
    };
}

/** Records every route a layer asks the edge for. */
export class FakePublisher implements Publisher {
    readonly domain: string;
    readonly trustedCertificates = true;
    readonly calls: { parent: pulumi.Resource; name: string; spec: RouteSpec }[] = [];
    constructor(domain = "dev.example.org") {
        this.domain = domain;
    }
    route(parent: pulumi.Resource, name: string, spec: RouteSpec): void {
        this.calls.push({ parent, name, spec });
    }
}

export function chartNamed(h: Harness, chart: string): RecordedResource {
    const found = h.ofType("kubernetes:helm.sh/v4:Chart").filter((r) => h.inputs(r).chart === chart);
    if (found.length !== 1) throw new Error(`expected one chart ${chart}, found ${found.length}`);
    return found[0]!;
}

export function valuesOf(h: Harness, chart: string): Record<string, Loose> {
    return h.inputs(chartNamed(h, chart)).values as Record<string, Loose>;
}
