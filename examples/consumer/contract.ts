/** The major version of the platform's output contract this program was written against. */
export const CONTRACT_MAJOR = 1;

/** Throws unless the platform's `outputsVersion` is of the contract major this program knows. */
export function checkContract(version: unknown): void {
    const major = Number(String(version).split(".")[0]);
    if (major !== CONTRACT_MAJOR) {
        throw new Error(
            `platform outputs ${String(version)} are not contract ${CONTRACT_MAJOR}.x; update this program`,
        );
    }
}
