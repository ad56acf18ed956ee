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
    return [...gitopsSecretNeeds(stack.gitops)];
}
