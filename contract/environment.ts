/** The environments a stack can be (`platform:environment`); prd is the one other teams rely on. */
export const ENVIRONMENTS = ["dev", "prd"] as const;

export type Environment = (typeof ENVIRONMENTS)[number];

export function isEnvironment(v: unknown): v is Environment {
    return (ENVIRONMENTS as readonly unknown[]).includes(v);
}
