import { StackConfig } from "./schema";
import { SecretKey } from "./secrets";
import { gitopsSecretNeeds } from "./sections/gitops";

export interface SecretNeed {
    readonly key: SecretKey;
    /** Why the stack needs it, for the error message. */
    readonly because: string;
}

/** The secret keys this stack's config cannot work without. */
export function requiredSecrets(stack: StackConfig): SecretNeed[] {
    const needs: SecretNeed[] = [...gitopsSecretNeeds(stack.gitops)];
    if (stack.edge.enabled) {
        const because = "the edge is enabled (oauth2-proxy signs users in through a GitHub OAuth app)";
        needs.push({ key: "githubOAuthClientId", because }, { key: "githubOAuthClientSecret", because });
    }
    return needs;
}
