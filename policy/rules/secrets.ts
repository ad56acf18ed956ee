import { isSecretWrapper } from "../../render/redact";
import { isChartChild, isHelm } from "../k8s";
import { isReference, namesSecret, SECRET_TEXT } from "../secret-names";
import { ALWAYS, Rule } from "../types";

/**
 * Where secret material sits inside `value`: Pulumi secret wrappers (when `wrappersAreLeaks`), private
 * keys in text, and non-empty literals under keys that name a secret.
 */
export function findSecrets(
    value: unknown,
    path: string,
    opts: { wrappersAreLeaks: boolean; byKey: boolean },
): string[] {
    const out: string[] = [];
    const walk = (v: unknown, p: string, key: string) => {
        if (isSecretWrapper(v)) {
            if (opts.wrappersAreLeaks) out.push(`${p} holds a secret value`);
            return;
        }
        if (typeof v === "string") {
            if (SECRET_TEXT.test(v)) out.push(`${p} holds a private key or token`);
            else if (opts.byKey && v !== "" && namesSecret(key) && !isReference(v))
                out.push(`${p} is a literal though its key names a secret`);
            return;
        }
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${p}[${i}]`, key));
        else if (v && typeof v === "object")
            for (const [k, x] of Object.entries(v)) walk(x, p === "" ? k : `${p}.${k}`, k);
    };
    walk(value, path, "");
    return out;
}

export const secretRules: Rule[] = [
    {
        id: "secret-not-in-helm-values",
        description:
            "No secret inside a chart's values: charts get an existingSecret (or secretKeyRef) naming a Secret the program creates.",
        benchmark:
            "Rationale: chart values are stored in the Helm release and in Pulumi state as plain text (pulumi-kubernetes #999, #2003); CIS GKE 4.1.2 (minimize access to secrets)",
        enforcement: ALWAYS,
        check(r) {
            if (!isHelm(r)) return [];
            return findSecrets((r.inputs as { values?: unknown }).values, "values", {
                wrappersAreLeaks: true,
                byKey: true,
            }).map((m) => `chart ${r.name}: ${m}`);
        },
    },
    {
        id: "secret-not-in-configmap",
        description: "No secret inside a ConfigMap; secrets go in a Secret.",
        benchmark:
            "Rationale: ConfigMaps are readable by every role that reads configuration; CIS GKE 4.1.2 (minimize access to secrets)",
        enforcement: ALWAYS,
        check(r) {
            if (!r.type.startsWith("kubernetes:core/v1:ConfigMap") || isChartChild(r)) return [];
            const i = r.inputs as { data?: unknown; binaryData?: unknown };
            return [
                ...findSecrets(i.data, "data", { wrappersAreLeaks: true, byKey: true }),
                ...findSecrets(i.binaryData, "binaryData", { wrappersAreLeaks: true, byKey: true }),
            ];
        },
    },
    {
        id: "secret-not-in-plain-output",
        description: "No stack output holds a secret in plain text: outputs carrying secrets are pulumi.secret.",
        benchmark: "Rationale: plain outputs are printed by `pulumi stack output` and read by other teams' stacks",
        enforcement: ALWAYS,
        crossResource: true,
        check(r, ctx) {
            if (r.type !== "pulumi:pulumi:Stack") return [];
            // A pack sees secrets unwrapped, so only content can give a plain secret away there.
            return findSecrets(r.inputs, "outputs", { wrappersAreLeaks: false, byKey: ctx.secretsVisible });
        },
    },
];
