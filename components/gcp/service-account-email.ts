/**
 * The email GCP gives a service account, `<accountId>@<project>.iam.gserviceaccount.com`. Known
 * before the account exists, so chart values and annotations built from it stay known in a
 * preview (a chart with an unknown value registers no objects there). What grants the account a
 * role still takes the account's own `email` output, so it waits for the account to exist.
 */
export function serviceAccountEmail(accountId: string, project: string): string {
    return `${accountId}@${project}.iam.gserviceaccount.com`;
}
