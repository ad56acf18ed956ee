import { ReflectorIdentity } from "../../components/gitops/reflector-identity";
import { registryProjects } from "../../components/gitops/image-policy";
import { recordResources } from "../harness";
import { IMAGES } from "./fixtures/images";

describe("ReflectorIdentity", () => {
    const build = () =>
        recordResources(
            () =>
                new ReflectorIdentity("reflector", {
                    project: "clubplatform-dev",
                    workloadIdentityPool: "clubplatform-dev.svc.id.goog",
                    registryProjects: ["clubplatform-dev", ...registryProjects(IMAGES)],
                }),
        );

    it("lets only the image-reflector-controller's Kubernetes service account act as the Google one", async () => {
        const h = await build();
        const binding = h.inputs(h.one("gcp:serviceaccount/iAMMember:IAMMember"));
        expect(binding.role).toBe("roles/iam.workloadIdentityUser");
        expect(binding.member).toBe(
            "serviceAccount:clubplatform-dev.svc.id.goog[flux-system/image-reflector-controller]",
        );
    });

    it("grants Artifact Registry read, and nothing else, once per project the images live in", async () => {
        const h = await build();
        const grants = h.ofType("gcp:projects/iAMMember:IAMMember").map((r) => h.inputs(r));
        expect(grants.map((g) => g.project).sort()).toEqual(["clubplatform-dev", "shared-images-1"]);
        for (const g of grants) {
            expect(g.role).toBe("roles/artifactregistry.reader");
            expect(g.member).toMatch(
                /^serviceAccount:flux-image-reflector@clubplatform-dev\.iam\.gserviceaccount\.com$/,
            );
        }
        expect(h.ofType("gcp:serviceaccount/key:Key")).toEqual([]);
    });
});

describe("registryProjects", () => {
    it("lists each Artifact Registry project once and ignores other registries", () => {
        expect(registryProjects([...IMAGES, ...IMAGES])).toEqual(["clubplatform-dev", "shared-images-1"]);
        expect(registryProjects([{ ...IMAGES[2]! }])).toEqual([]);
    });
});
