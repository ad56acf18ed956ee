import { z } from "zod";
import { dnsLabel } from "../validators";
import { ENVIRONMENTS } from "../../contract/environment";
import { IMAGE_FILE_API_VERSION, IMAGE_FILE_KIND } from "../../components/gitops/setter-markers";
import { parseImage } from "./apps";

/**
 * The image file (`platform:imageFile`, e.g. `images/dev.yaml`): the app images Flux's image
 * automation owns, one Kubernetes-shaped document per environment. Flux records a bump only in a
 * document with apiVersion, kind and metadata (kyaml `GetMeta`), so the images cannot live in the
 * stack file; everything else about an app stays there.
 *
 *   apiVersion: platform/v1
 *   kind: AppImages
 *   metadata:
 *     name: dev
 *   spec:
 *     vote:
 *       web: <repository>:<tag> # {"$imagepolicy": "flux-system:vote-web-dev"}
 */
export const imageFileSchema = z
    .object({
        apiVersion: z.literal(IMAGE_FILE_API_VERSION).meta({ description: "Always `" + IMAGE_FILE_API_VERSION + "`." }),
        kind: z.literal(IMAGE_FILE_KIND).meta({ description: "Always `" + IMAGE_FILE_KIND + "`." }),
        metadata: z
            .object({
                name: z.enum(ENVIRONMENTS).meta({ description: "The environment whose images these are." }),
            })
            .strict()
            .meta({ description: "Names the environment; the stack's `platform:environment` must match." }),
        spec: z
            .record(
                dnsLabel(40),
                z.record(
                    dnsLabel(30),
                    z
                        .string()
                        .refine((v) => parseImage(v) !== undefined, {
                            message: "is not an image reference <registry>/<path>:<tag> (lower-case repository, a tag)",
                        })
                        .meta({
                            description:
                                '`<repository>:<tag>` with the setter marker `# {"$imagepolicy": "flux-system:<app>-<container>-<env>"}`: the line Flux rewrites.',
                        }),
                ),
            )
            .default({})
            .meta({ description: "App name to container name to image: one line per container of `platform:apps`." }),
    })
    .strict();

export type ImageFile = z.output<typeof imageFileSchema>;
