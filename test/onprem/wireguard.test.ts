import { wireguardPrivateKey, wireguardPublicKey } from "../../components/onprem/wireguard";

describe("WireGuard keys", () => {
    it("derives X25519 public keys as RFC 7748 section 6.1 gives them", () => {
        // Alice's key pair from RFC 7748 6.1 (the scalar is clamped on use, so clamping keeps the public key).
        const alice = Buffer.from("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", "hex");
        const priv = wireguardPrivateKey(alice.toString("base64"));
        expect(Buffer.from(wireguardPublicKey(priv), "base64").toString("hex")).toBe(
            "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
        );
    });

    it("clamps the private key as X25519 requires", () => {
        const raw = wireguardPrivateKey(Buffer.alloc(32, 0xff).toString("base64"));
        const key = Buffer.from(raw, "base64");
        expect(key[0]! & 7).toBe(0);
        expect(key[31]! & 0xc0).toBe(0x40);
    });

    it("refuses fewer than 32 random bytes", () => {
        expect(() => wireguardPrivateKey(Buffer.alloc(16).toString("base64"))).toThrow(/32 random bytes, got 16/);
    });
});
