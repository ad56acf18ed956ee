import { z } from "zod";
import { cidr } from "../validators";

/** The VPC the GKE cluster lives in. Ranges must not overlap each other or the control plane range. */
export const networkSchema = z
    .object({
        /** Primary range of the node subnet. @default 10.10.0.0/20 */
        subnetCidr: cidr(8, 29).default("10.10.0.0/20"),
        /** Secondary range for Pod IPs (VPC-native). @default 10.20.0.0/14 */
        podsCidr: cidr(8, 21).default("10.20.0.0/14"),
        /** Secondary range for Service IPs. @default 10.24.0.0/20 */
        servicesCidr: cidr(8, 27).default("10.24.0.0/20"),
    })
    .strict();

export type NetworkConfig = z.output<typeof networkSchema>;
