import type { Rule } from "../types";
import { dataRules } from "./data";
import { edgeRules } from "./edge";
import { gkeRules } from "./gke";
import { iamRules } from "./iam";
import { namespaceRules } from "./namespaces";
import { networkRules } from "./network";
import { podRules } from "./pods";
import { reliabilityRules } from "./reliability";
import { secretRules } from "./secrets";

/** Every rule of the platform, in the order the docs list them. */
export const RULES: readonly Rule[] = [
    ...podRules,
    ...reliabilityRules,
    ...dataRules,
    ...namespaceRules,
    ...networkRules,
    ...edgeRules,
    ...gkeRules,
    ...iamRules,
    ...secretRules,
];
