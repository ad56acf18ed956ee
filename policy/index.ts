// The platform's guardrails as a CrossGuard pack: `pulumi preview --policy-pack policy`.
// The rules are the ones the test suite runs over every rendered resource (policy/rules/).
import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack";

new PolicyPack("platform-guardrails", { policies: policies() });
