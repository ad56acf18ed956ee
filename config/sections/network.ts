import { z } from "zod";
import { cidr } from "../validators";

/** The VPC the GKE cluster lives in. Ranges must not overlap each other or the control plane range. */
export const networkSchema = z
    .object({
        subnetCidr: cidr(8, 29).default("10.10.0.0/20").meta({
            description:
                "Primary range of the node subnet. It, `podsCidr`, `servicesCidr` and `cluster.masterCidr` must not overlap.",
        }),
        podsCidr: cidr(8, 21).default("10.20.0.0/14").meta({ description: "Secondary range for Pod IPs, VPC-native." }),
        servicesCidr: cidr(8, 27).default("10.24.0.0/20").meta({ description: "Secondary range for Service IPs." }),
    })
    .strict();

export type NetworkConfig = z.output<typeof networkSchema>;
